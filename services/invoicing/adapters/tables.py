"""The invoicing service's own tables beside its event store (migrations/): account plans, the
posting queue, the charge lines the charges page reads, invoices with their series counters, and
bill runs. Every method takes the connection of the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from services.invoicing.application.ports import BillRun, InvoiceRecord, QueuedAccount, RecordedLine
from services.invoicing.domain.page import PostedLine
from services.invoicing.domain.plan import AccountPlan
from shared.db import Connection

__all__ = ["BillRunsTable", "ChargeLinesTable", "InvoicesTable", "PlansTable", "PostingQueueTable"]

_IN_SERVICE = "(opened_on IS NULL OR opened_on <= $2) AND (closed_on IS NULL OR closed_on >= $1)"


class PlansTable:
    async def load(self, conn: Connection, account_id: str, *, for_update: bool = False) -> AccountPlan | None:
        row = await conn.fetchrow("SELECT plan FROM account_plans WHERE account_id = $1"
                                  + (" FOR UPDATE" if for_update else ""), account_id)
        return AccountPlan.model_validate(row["plan"]) if row else None

    async def save(self, conn: Connection, plan: AccountPlan, at: datetime) -> None:
        await conn.execute(
            "INSERT INTO account_plans (account_id, opened_on, closed_on, tariff_ids, block_starts, plan, changed_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id) DO UPDATE SET"
            " opened_on = excluded.opened_on, closed_on = excluded.closed_on, tariff_ids = excluded.tariff_ids,"
            " block_starts = excluded.block_starts,"
            " plan = excluded.plan, changed_at = excluded.changed_at",
            plan.account_id, plan.opened_on, plan.closed_on, plan.tariff_ids(), plan.block_starts(),
            plan.model_dump(mode="json"), at,
        )

    async def load_many(self, conn: Connection, account_ids: Sequence[str]) -> dict[str, AccountPlan]:
        rows = await conn.fetch("SELECT account_id, plan FROM account_plans WHERE account_id = ANY($1::text[])",
                                list(account_ids))
        return {r["account_id"]: AccountPlan.model_validate(r["plan"]) for r in rows}

    async def in_service(self, conn: Connection, first: date, last: date, after: str, limit: int) -> list[str]:
        rows = await conn.fetch(f"SELECT account_id FROM account_plans WHERE {_IN_SERVICE} AND account_id > $3"
                                " ORDER BY account_id LIMIT $4", first, last, after, limit)
        return [r["account_id"] for r in rows]

    async def count_in_service(self, conn: Connection, first: date, last: date) -> int:
        return int(await conn.fetchval(f"SELECT count(*) FROM account_plans WHERE {_IN_SERVICE}", first, last))


class PostingQueueTable:
    async def add(self, conn: Connection, account_id: str, at: datetime, correlation_id: str | None) -> None:
        await conn.execute(
            "INSERT INTO posting_queue (account_id, queued_at, not_before, correlation_id) VALUES ($1, $2, $2, $3)"
            " ON CONFLICT (account_id) DO UPDATE SET correlation_id = excluded.correlation_id",
            account_id, at, correlation_id,
        )

    async def add_in_service(self, conn: Connection, day: date, at: datetime,
                             daily_tariffs: list[str] | None = None) -> int:
        due = "" if daily_tariffs is None else " AND (tariff_ids && $4::text[] OR $1 = ANY(block_starts))"
        status = await conn.execute(
            f"INSERT INTO posting_queue (account_id, queued_at, not_before) SELECT account_id, $3, $3"
            f" FROM account_plans WHERE {_IN_SERVICE}{due} ON CONFLICT (account_id) DO NOTHING",
            day, day, at, *([] if daily_tariffs is None else [daily_tariffs]),
        )
        return int(status.rsplit(" ", 1)[-1])

    async def claim(self, conn: Connection, limit: int, now: datetime) -> list[QueuedAccount]:
        rows = await conn.fetch(
            "DELETE FROM posting_queue WHERE account_id IN (SELECT account_id FROM posting_queue"
            " WHERE not_before <= $2 ORDER BY not_before LIMIT $1 FOR UPDATE SKIP LOCKED)"
            " RETURNING account_id, correlation_id, failures", limit, now,
        )
        # In account order, as the bill run goes: two transactions appending to several accounts' streams
        # then always wait on each other in the same order, never in a cycle (no deadlock).
        return sorted((QueuedAccount(r["account_id"], r["correlation_id"], r["failures"]) for r in rows),
                      key=lambda queued: queued.account_id)

    async def retry_later(self, conn: Connection, queued: QueuedAccount, at: datetime, not_before: datetime) -> None:
        await conn.execute(
            "INSERT INTO posting_queue (account_id, queued_at, not_before, correlation_id, failures)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET failures = excluded.failures,"
            " not_before = greatest(posting_queue.not_before, excluded.not_before)",
            queued.account_id, at, not_before, queued.correlation_id, queued.failures + 1,
        )


_LINE_COLUMNS = ("charge_id, account_id, period, line_id, kind, item, label, whole, description, from_day, to_day,"
                 " quantity, monthly_fee, net, vat_rate, vat, other_tax, total, posted_at")


class ChargeLinesTable:
    async def record(self, conn: Connection, lines: Sequence[RecordedLine]) -> None:
        if not lines:
            return
        await conn.executemany(
            f"INSERT INTO charge_lines ({_LINE_COLUMNS}) VALUES"
            " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
            [(r.charge_id, r.account_id, r.period, r.line.line_id, r.line.kind, r.line.item, r.line.label,
              r.line.whole, r.description, r.line.from_day, r.line.to_day, r.line.quantity, r.line.monthly_fee,
              r.line.net, r.line.vat_rate, r.line.vat, r.line.other_tax, r.total, r.posted_at) for r in lines],
        )

    async def of_period(self, conn: Connection, account_id: str, period: date) -> list[RecordedLine]:
        rows = await conn.fetch(f"SELECT {_LINE_COLUMNS} FROM charge_lines WHERE account_id = $1 AND period = $2"
                                " ORDER BY posted_at, charge_id", account_id, period)
        return [RecordedLine(
            r["charge_id"], r["account_id"], r["period"],
            PostedLine(r["line_id"], r["item"], r["kind"], r["label"], r["whole"], r["monthly_fee"], r["vat_rate"],
                       r["from_day"], r["to_day"], r["quantity"], r["net"], r["vat"], r["other_tax"]),
            r["description"], r["total"], r["posted_at"]) for r in rows]


    async def history(self, conn: Connection, account_id: str, start: datetime, end: datetime | None,
                      limit: int, offset: int) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            "SELECT charge_id, period, kind, item, line_id, description, from_day, to_day, quantity, net, vat_rate,"
            " vat, other_tax, total, posted_at, count(*) OVER () AS total_count FROM charge_lines"
            " WHERE account_id = $1 AND posted_at >= $2 AND ($3::timestamptz IS NULL OR posted_at < $3)"
            " ORDER BY posted_at DESC, charge_id DESC LIMIT $4 OFFSET $5",
            account_id, start, end, limit, offset)
        return [dict(r) for r in rows]


class InvoicesTable:
    async def take_numbers(self, conn: Connection, series: str, count: int) -> int:
        take = "UPDATE invoice_series SET last_number = last_number + $2 WHERE series = $1 RETURNING last_number"
        taken = await conn.fetchval(take, series, count)
        if taken is None:  # the series' first invoice: its row, then (as every other) the update that locks it
            await conn.execute("INSERT INTO invoice_series (series) VALUES ($1) ON CONFLICT (series) DO NOTHING",
                               series)
            taken = await conn.fetchval(take, series, count)
        return int(taken) - count + 1

    async def insert_many(self, conn: Connection, invoices: Sequence[InvoiceRecord]) -> set[str]:
        if not invoices:
            return set()
        # subscribers as JSON text: a list in a jsonb[] would be taken for a second array dimension
        rows = await conn.fetch(
            "INSERT INTO invoices (invoice_id, account_id, period, series, seq, number, payment_form, net, vat,"
            " other_tax, total, issued_at, due_on, subscribers, bill_run) SELECT invoice_id, account_id, period,"
            " series, seq, number, payment_form, net, vat, other_tax, total, issued_at, due_on, subscribers::jsonb,"
            " bill_run FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::bigint[], $6::text[],"
            " $7::text[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[], $12::timestamptz[],"
            " $13::date[], $14::text[], $15::date[]) AS i(invoice_id, account_id, period, series, seq, number,"
            " payment_form, net, vat, other_tax, total, issued_at, due_on, subscribers, bill_run)"
            " ON CONFLICT ON CONSTRAINT one_regular_invoice_per_account_and_period DO NOTHING RETURNING account_id",
            *(list(column) for column in zip(*(
                (i.invoice_id, i.account_id, i.period, i.series, i.seq, i.number, i.payment_form, i.net, i.vat,
                 i.other_tax, i.total, i.issued_at, i.due_on, json.dumps(i.subscribers, ensure_ascii=False),
                 i.bill_run) for i in invoices), strict=True)),
        )
        return {r["account_id"] for r in rows}

    async def of_account(self, conn: Connection, account_id: str) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            "SELECT invoice_id, account_id, period, kind, series, number, net, vat, other_tax, total, issued_at,"
            " due_on, subscribers FROM invoices WHERE account_id = $1 ORDER BY period DESC", account_id)
        return [dict(r) for r in rows]


class BillRunsTable:
    async def start(self, conn: Connection, period: date, at: datetime, accounts_total: int,
                    not_before: datetime) -> bool:
        status = await conn.execute(
            "INSERT INTO bill_runs (period, started_at, not_before, accounts_total) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (period) DO NOTHING", period, at, not_before, accounts_total)
        return status.endswith(" 1")

    async def claim_open(self, conn: Connection, now: datetime, period: date | None = None) -> BillRun | None:
        row = await conn.fetchrow(
            "SELECT period, started_at, accounts_total, cursor, done, issued, finished_at FROM bill_runs"
            " WHERE finished_at IS NULL AND not_before <= $1 AND ($2::date IS NULL OR period = $2)"
            " ORDER BY period LIMIT 1 FOR UPDATE SKIP LOCKED", now, period)
        return BillRun(**dict(row)) if row else None

    async def advance(self, conn: Connection, period: date, cursor: str, done: int, issued: int,
                      finished_at: datetime | None) -> None:
        await conn.execute(
            "UPDATE bill_runs SET cursor = $2, done = done + $3, issued = issued + $4, finished_at = $5"
            " WHERE period = $1", period, cursor, done, issued, finished_at)

    async def status(self, conn: Connection, period: date) -> BillRun | None:
        row = await conn.fetchrow("SELECT period, started_at, accounts_total, cursor, done, issued, finished_at"
                                  " FROM bill_runs WHERE period = $1", period)
        return BillRun(**dict(row)) if row else None
