"""Use case: a batch of raw CDRs is checked, matched to its lines, rated and stored, and its rated
usage queued for invoicing, in one transaction. The three ways in (Kafka `telephony.cdr.raw`, the
HTTP batch, the CSV ops command) all call `ingest`.

Idempotent by the switch's identity of a CDR, (origin, call id): one already stored (or repeated in
the batch) is counted as a duplicate and changes nothing, so a CDR seen ten times is rated and
charged once. A CDR that cannot be taken goes to `cdr_dead_letters` with its code and reason
(malformed, `cdr.number_unknown`, `cdr.line_paused`, `cdr.add_on_required`, ...), and the rest of the
batch goes on.

Every line a batch touches is locked first (its `line_months` rows, in line order), so two batches
of one line never interleave: the duplicate check and the bundle's remainder are exact. Rated usage
becomes one `usage_posts` row per account, line, local day and usage class of the batch (usage id
`u<batch>-<n>`); the usage worker posts them to invoicing after commit (application/posting.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.telephony.application.context import Telephony
from services.telephony.domain.cdr import Cdr, MalformedCdr, parse_cdr
from services.telephony.domain.directory import AddOnTerm, TariffTerm, add_ons_on, tariff_on
from services.telephony.domain.rating import RatingPlans, RatingRefused, rate
from shared.calendar import month_start
from shared.db import Connection
from shared.money import from_line_units, round_line

__all__ = ["CALL_COLUMNS", "LINE_COLUMNS", "DeadLetter", "Ingested", "LineRow", "UsageKey", "ingest",
           "lock_line_months", "queue_usage", "save_line_months", "text_array"]

CALL_COLUMNS = ("origin", "call_id", "direction", "account_id", "line_id", "kind", "caller", "callee", "started_at",
                "duration_s", "destination", "time_class", "usage_class", "billed_s", "bundle_s", "net")


@dataclass(frozen=True)
class DeadLetter:
    index: int
    code: str
    reason: str
    origin: str | None = None
    call_id: str | None = None


@dataclass
class Ingested:
    accepted: int = 0
    duplicates: int = 0
    dead_letters: list[DeadLetter] = field(default_factory=list)
    usage_lines: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "dead_lettered": len(self.dead_letters),
                "usage_lines": self.usage_lines,
                "dead_letters": [{"index": d.index, "code": d.code, "reason": d.reason, "origin": d.origin,
                                  "call_id": d.call_id} for d in self.dead_letters]}


@dataclass(frozen=True)
class LineRow:
    line_id: str
    account_id: str
    kind: str
    identifier: str
    tariffs: list[TariffTerm]
    add_ons: list[AddOnTerm]
    paused: bool
    closed_on: date | None

    @classmethod
    def of(cls, row: Any) -> LineRow:
        """From a row selected with `LINE_COLUMNS` (terms as JSON text, parsed once per distinct text).
        The same row read again (every batch reads its lines again) gives the line made before: a
        LineRow is never changed once made, and the key is every column the row has."""
        key = tuple(row)
        line = _LINES.get(key)
        if line is None:
            if len(_LINES) > 200_000:
                _LINES.clear()
            line = _LINES[key] = cls(row["line_id"], row["account_id"], row["kind"], row["identifier"],
                                     _terms(row["tariffs"], TariffTerm), _terms(row["add_ons"], AddOnTerm),
                                     row["paused"], row["closed_on"])
        return line


#: What ingestion and re-rating select of a line (`SELECT {LINE_COLUMNS} WHERE ...`): its terms as
#: text, so a batch parses only the texts it has not seen (`_terms`): every batch of the same lines
#: reads the same texts.
LINE_COLUMNS = ("l.line_id, l.account_id, l.kind, l.identifier, l.tariffs::text, l.add_ons::text,"
                " coalesce(s.paused, false) AS paused, l.closed_on"
                " FROM lines l LEFT JOIN line_settings s ON s.line_id = l.line_id")
_PARSED: dict[tuple[type, str], list[Any]] = {}
_LINES: dict[tuple[Any, ...], LineRow] = {}


def _terms(text: str, model: type[TariffTerm] | type[AddOnTerm]) -> list[Any]:
    key = (model, text)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) > 50_000:
            _PARSED.clear()
        parsed = _PARSED[key] = [model.model_validate(t) for t in json.loads(text)]
    return parsed


UsageKey = tuple[str, str, date, str]  # account, line, local day, usage class


def text_array(values: Sequence[str]) -> str:
    """`values` as one PostgreSQL array literal, for a `$n::text::text[]` parameter: asyncpg checks
    every element of a list parameter through `collections.abc` (a few tenths of a µs each, 10,000
    and more per batch); one string is sent as it is. For sets a statement joins (`unnest`), not for
    an `= ANY(...)` filter: there a generic plan's scan casts the literal again for every row."""
    if not values:
        return "{}"
    body = '","'.join(values)
    if "\\" in body or body.count('"') != 2 * (len(values) - 1):  # quotes or backslashes inside: escape
        body = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return '{"' + body + '"}'


async def lock_line_months(conn: Connection, keys: set[tuple[str, date]]) -> dict[tuple[str, date], int]:
    """Lock the (line, month) rows in one order, creating missing ones; their bundle seconds used."""
    ordered = sorted(keys)
    lines, periods = text_array([k[0] for k in ordered]), text_array([k[1].isoformat() for k in ordered])
    await conn.execute("INSERT INTO line_months (line_id, period) SELECT * FROM unnest($1::text::text[],"
                       " $2::text::date[]) ORDER BY 1, 2 ON CONFLICT DO NOTHING", lines, periods)
    rows = await conn.fetch("SELECT line_id, period, used_s FROM line_months WHERE (line_id, period) IN"
                            " (SELECT * FROM unnest($1::text::text[], $2::text::date[]))"
                            " ORDER BY line_id, period FOR UPDATE", lines, periods)
    return {(r["line_id"], r["period"]): int(r["used_s"]) for r in rows}


async def save_line_months(conn: Connection, used: dict[tuple[str, date], int]) -> None:
    """The bundle seconds used per (line, month), in one statement (the rows are locked already)."""
    if used:
        keys = sorted(used)
        await conn.execute(
            "UPDATE line_months m SET used_s = u.used_s FROM unnest($1::text::text[], $2::text::date[],"
            " $3::text::bigint[]) AS u (line_id, period, used_s) WHERE m.line_id = u.line_id AND m.period = u.period",
            text_array([k[0] for k in keys]), text_array([k[1].isoformat() for k in keys]),
            text_array([str(used[k]) for k in keys]))


async def queue_usage(ctx: Telephony, conn: Connection, totals: dict[UsageKey, tuple[Decimal, int, str]],
                      prefix: str) -> int:
    """One usage_posts row per key, in the order given: (net, seconds or SMS count, description)."""
    if not totals:
        return 0
    return await _queue(ctx, conn, ((key, round_line(net), quantity, label)
                                    for key, (net, quantity, label) in totals.items()), prefix)


async def _queue(ctx: Telephony, conn: Connection, rows: Iterable[tuple[UsageKey, Decimal, int, str]],
                 prefix: str) -> int:
    """Usage ids `<prefix><batch>-<n>`, n in the order of `rows` (ingestion's: call order, so the
    same batch gets the same numbering); at least one row."""
    batch = await conn.fetchval("SELECT nextval('usage_batches')")
    now = ctx.clock.now()
    vat_rate_for = ctx.plans.vat_rate_for
    records = [(f"{prefix}{batch}-{n}", account_id, line_id, day, usage_class, label, quantity, net,
                vat_rate_for(usage_class), now, now)
               for n, ((account_id, line_id, day, usage_class), net, quantity, label) in enumerate(rows, 1)]
    await conn.copy_records_to_table(
        "usage_posts", records=records,
        columns=["usage_id", "account_id", "line_id", "day", "usage_class", "description", "quantity_s", "net",
                 "vat_rate", "created_at", "not_before"])
    return len(records)


def _parse_all(raws: Sequence[object], result: Ingested) -> list[tuple[Cdr, int]]:
    """The well-formed CDRs, each once, in call order, with its index in the batch."""
    seen: set[tuple[str, str]] = set()
    parsed = []
    for index, raw in enumerate(raws):
        try:
            cdr = parse_cdr(raw)
        except MalformedCdr as error:
            ids = raw if isinstance(raw, dict) else {}
            result.dead_letters.append(DeadLetter(index, error.code, error.reason, _str(ids.get("origin")),
                                                  _str(ids.get("call_id"))))
            continue
        identity = (cdr.origin, cdr.call_id)
        if identity in seen:
            result.duplicates += 1
            continue
        seen.add(identity)
        parsed.append((cdr, index))
    parsed.sort()  # call order: a Cdr's tuple starts with (started_at, origin, call_id), unique in the batch
    return parsed


def _str(value: object) -> str | None:
    return value[:100] if isinstance(value, str) else None


async def ingest(ctx: Telephony, raws: Sequence[object], source: str, *, history: bool = False) -> Ingested:
    """`history`: calls from before the lines were billed here (the demo's past months; a migration's
    call history): rated by the line's first tariff, stored for the call detail, never charged (no
    usage is queued: those days were billed elsewhere, or never; re-rating leaves them alone). An
    outgoing call of a day the line was already billed here is refused (`cdr.history_in_service`).
    Everything else, duplicates and dead letters included, as usual."""
    result = Ingested()
    parsed = _parse_all(raws, result)
    async with ctx.pool.acquire() as conn, conn.transaction():
        if parsed:
            await _store(ctx, conn, parsed, result, history)
        await _dead_letter(ctx, conn, raws, result.dead_letters, source)
    return result


class _Terms:
    """A line's tariff, add-ons and bundle seconds a month on a day, worked out once per batch for
    each distinct set of terms and day (lines with the same terms share their parsed lists: `_terms`,
    so `id` names them while the batch holds the lines)."""

    def __init__(self, plans: RatingPlans, history: bool = False) -> None:
        self._plans = plans
        self._history = history
        self._on: dict[tuple[int, int, date], tuple[TariffTerm | None, frozenset[str], int]] = {}

    @property
    def history(self) -> bool:
        return self._history

    def on(self, line: LineRow, day: date) -> tuple[TariffTerm | None, frozenset[str], int]:
        key = (id(line.tariffs), id(line.add_ons), day)
        found = self._on.get(key)
        if found is None:
            add_ons = add_ons_on(line.add_ons, day)
            tariff = tariff_on(line.tariffs, day)
            if tariff is None and self._history and line.tariffs:
                tariff = line.tariffs[0]  # history from before the line was billed here: its first tariff
            found = self._on[key] = (tariff, add_ons, self._plans.bundle_seconds(add_ons))
        return found


async def _store(ctx: Telephony, conn: Connection, parsed: list[tuple[Cdr, int]], result: Ingested,
                 history: bool) -> None:
    numbers = list({c.caller for c, _ in parsed} | {c.callee for c, _ in parsed})
    # a list parameter (an array literal cast in a filter is cast again for every row of a generic plan's scan)
    rows = await conn.fetch(f"SELECT {LINE_COLUMNS} WHERE l.identifier = ANY($1::text[])", numbers)
    lines = {r["identifier"]: LineRow.of(r) for r in rows}
    tz = ctx.tz
    # One pass to find what the batch touches: each CDR's local moment and month, its lines, their months.
    calls = []
    months: set[tuple[str, date]] = set()
    for cdr, index in parsed:
        moment = cdr.started_at.astimezone(tz)
        day = moment.date()
        month = month_start(day)
        out_line, in_line = lines.get(cdr.caller), lines.get(cdr.callee)
        if out_line is not None:
            months.add((out_line.line_id, month))
        if in_line is not None:
            months.add((in_line.line_id, month))
        calls.append((cdr, index, moment, day, month, out_line, in_line))
    used = await lock_line_months(conn, months) if months else {}
    existing = {(r[0], r[1], r[2]) for r in await conn.fetch(
        "SELECT origin, call_id, direction FROM calls WHERE (origin, call_id) IN"
        " (SELECT * FROM unnest($1::text::text[], $2::text::text[]))",
        text_array([c.origin for c, _ in parsed]), text_array([c.call_id for c, _ in parsed]))}
    records: list[tuple[Any, ...]] = []
    totals: dict[UsageKey, list[Any]] = {}  # [net in ten-thousandths, seconds or SMS count, description]
    before = dict(used)
    terms = _Terms(ctx.plans, history)
    zero = Decimal(0)
    fresh = not existing  # none of the batch stored before (the common case): no identity to look up
    for cdr, index, moment, day, month, out_line, in_line in calls:
        if out_line is None and in_line is None:
            result.dead_letters.append(DeadLetter(index, "cdr.number_unknown", "neither number is a subscriber line",
                                                  cdr.origin, cdr.call_id))
            continue
        stored = False
        seen_before = True
        if out_line is not None and (fresh or (cdr.origin, cdr.call_id, "out") not in existing):
            seen_before = False
            refusal = _rate_out(ctx, terms, cdr, out_line, moment, day, month, used, records, totals)
            if refusal is None:
                stored = True
            else:
                result.dead_letters.append(DeadLetter(index, refusal.code, str(refusal), cdr.origin, cdr.call_id))
        if in_line is not None and (fresh or (cdr.origin, cdr.call_id, "in") not in existing):
            seen_before = False
            if _in_service(in_line, day):
                records.append((cdr.origin, cdr.call_id, "in", in_line.account_id, in_line.line_id, cdr.kind,
                                cdr.caller, cdr.callee, cdr.started_at, cdr.duration_s, None, None, None, 0, 0,
                                zero))
                stored = True
        if seen_before:
            result.duplicates += 1
        elif stored:
            result.accepted += 1
    if records:
        await conn.copy_records_to_table("calls", records=records, columns=list(CALL_COLUMNS))
    await save_line_months(conn, {k: v for k, v in used.items() if v != before.get(k)})
    if not history and totals:
        result.usage_lines = await _queue(ctx, conn, ((key, from_line_units(units), quantity, label)
                                                      for key, (units, quantity, label) in totals.items()), "u")


def _in_service(line: LineRow, day: date) -> bool:
    return line.closed_on is None or day <= line.closed_on


def _rate_out(ctx: Telephony, terms: _Terms, cdr: Cdr, line: LineRow, moment: datetime, day: date, month: date,
              used: dict[tuple[str, date], int], records: list[tuple[Any, ...]],
              totals: dict[UsageKey, list[Any]]) -> RatingRefused | None:
    if terms.history:
        if not line.tariffs or day >= line.tariffs[0].from_day:
            return RatingRefused("cdr.history_in_service", f"line {line.line_id} was billed here on {day}: not history")
    elif line.paused:
        return RatingRefused("cdr.line_paused", f"line {line.line_id} is paused («Пауза»): its calls are not rated")
    tariff, add_ons, bundle_s = terms.on(line, day)
    if tariff is None or not _in_service(line, day):
        return RatingRefused("cdr.line_not_in_service", f"line {line.line_id} was not in service on {day}")
    line_month = (line.line_id, month)
    left = max(0, bundle_s - used.get(line_month, 0)) if bundle_s else 0
    try:
        rated = rate(ctx.plans, tariff.tariff_id, add_ons, kind=cdr.kind, callee=cdr.callee, local_start=moment,
                     duration_s=cdr.duration_s, bundle_left_s=left)
    except RatingRefused as refused:
        return refused
    if rated.bundle_s:
        used[line_month] = used.get(line_month, 0) + rated.bundle_s
    records.append((cdr.origin, cdr.call_id, "out", line.account_id, line.line_id, cdr.kind, cdr.caller, cdr.callee,
                    cdr.started_at, cdr.duration_s, rated.destination, rated.time_class, rated.usage_class,
                    rated.billed_s, rated.bundle_s, rated.net))
    key = (line.account_id, line.line_id, day, rated.posted_class)
    found = totals.get(key)
    if found is None:
        totals[key] = [rated.net_units, rated.billed_s, rated.label]
    else:
        found[0] += rated.net_units
        found[1] += rated.billed_s
    return None


async def _dead_letter(ctx: Telephony, conn: Connection, raws: Sequence[object], dead: list[DeadLetter],
                       source: str) -> None:
    if not dead:
        return
    now = ctx.clock.now()
    await conn.executemany(  # few rows; jsonb has no binary COPY encoder with the text codec
        "INSERT INTO cdr_dead_letters (source, origin, call_id, code, reason, raw, at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [(source, d.origin, d.call_id, d.code, d.reason[:1000], _jsonable(raws[d.index]), now)
         for d in dead])


def _jsonable(raw: object) -> object:
    try:
        json.dumps(raw)
    except (TypeError, ValueError):
        return {"text": repr(raw)[:2000]}
    return raw
