"""The cabinet payments projection's events applied several at a time (`bulk` handlers, the kernel's
batched path in `shared/projection.py`): each handler gets events of one type, at most one per
account stream, and does with one set-based statement exactly what `CabinetPayments.apply` does
with each. Every row here belongs to one account, and the funds move by addition, so accounts'
events commute as the kernel requires. A type without a handler here goes through `apply`.

The payloads go to PostgreSQL as one JSON array (encoded by orjson, sent as text), read into typed
columns by `jsonb_to_recordset` (no per-field Python work); the event's time rides along as `at_`.
A payload missing a required field fails the statement (NOT NULL) and the batch then goes event by
event through `apply`, whose models name the field. `tests/gateway/projections/test_bulk_apply.py`
checks both paths give the same tables."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import orjson

from services.gateway.projections.cabinet_balance import ZERO, move_funds_many
from shared.db import Connection, copy_new_rows
from shared.projection import BulkApply, IncomingEvent

__all__ = ["BULK"]


def _rows(events: Sequence[IncomingEvent]) -> str:
    """The events' payloads, each with its time as `at_`, as one JSON array (orjson: the time in
    ISO 8601 as `isoformat` writes it), sent as text and read by `$1::text::jsonb`."""
    return orjson.dumps([{**e.payload, "at_": e.occurred_at} for e in events], default=_plain).decode()


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_CENT = Decimal("0.01")
_PROMISED_COLUMNS = ("promised_payment_id", "account_id", "amount", "taken_at", "due_at", "status")
_GUARANTEE_COLUMNS = ("guarantee_id", "account_id", "amount", "pay_by", "invoice_ref", "registered_at")
_PAYMENT_COLUMNS = ("payment_id", "account_id", "amount", "method", "external_id", "paid_at", "registered_at",
                    "top_up_id")


def _payment_rows(events: Sequence[IncomingEvent]) -> tuple[list[tuple[str | None, ...]], list[Decimal]] | None:
    """The `cabinet_payments` rows of PaymentRegistered events as text, as the INSERT below reads them
    from JSON, and their amounts; None if an amount is not text in cents at most (the column would
    round it: the INSERT's RETURNING then gives what it stored)."""
    rows: list[tuple[str | None, ...]] = []
    amounts = []
    try:
        for e in events:
            p = e.payload
            text = p["amount"]
            if (amount := _cents(text)) is None:
                return None
            amounts.append(amount)
            rows.append((p["payment_id"], p["account_id"], text, p["method"], p["external_id"], p["paid_at"],
                         e.occurred_at.isoformat(), p.get("top_up_id")))
    except (KeyError, ArithmeticError):
        return None
    return rows, amounts


def _cents(text: Any) -> Decimal | None:
    """An amount given as text in cents at most (what the column stores unrounded), else None."""
    amount = Decimal(text) if type(text) is str else None
    return amount if amount is not None and amount.quantize(_CENT) == amount else None


async def _registered(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    """New payments (the usual case) are COPYed in (`copy_new_rows`); if one of them is a payment
    already there or a payload out of the plain shape, the whole set goes through the INSERT."""
    fresh = _payment_rows(events)
    if fresh is not None and await copy_new_rows(conn, "cabinet_payments", _PAYMENT_COLUMNS, fresh[0]):
        await move_funds_many(conn, ((e.payload["account_id"], e.occurred_at, amount, amount, ZERO, ZERO)
                                     for e, amount in zip(events, fresh[1], strict=True)))
        return
    rows = await conn.fetch(
        "INSERT INTO cabinet_payments (payment_id, account_id, amount, method, external_id, paid_at,"
        " registered_at, top_up_id) SELECT payment_id, account_id, amount, method, external_id, paid_at, at_,"
        " top_up_id FROM jsonb_to_recordset($1::text::jsonb) AS x(payment_id uuid, account_id text, amount numeric,"
        " method text, external_id text, paid_at timestamptz, at_ timestamptz, top_up_id text)"
        " ON CONFLICT (payment_id) DO NOTHING RETURNING account_id, registered_at, amount",
        _rows(events),
    )
    await move_funds_many(conn, ((r[0], r[1], r[2], r[2], ZERO, ZERO) for r in rows))


async def _reversed(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    rows = await conn.fetch(
        "UPDATE cabinet_payments c SET reversed_at = x.at_, reversal_reason = x.reason"
        " FROM jsonb_to_recordset($1::text::jsonb) AS x(payment_id uuid, account_id text, amount numeric, reason text,"
        " at_ timestamptz) WHERE c.payment_id = x.payment_id AND c.reversed_at IS NULL"
        " RETURNING x.account_id, x.at_, x.amount",
        _rows(events),
    )
    await move_funds_many(conn, ((r[0], r[1], -r[2], ZERO, ZERO, ZERO) for r in rows))


async def _taken(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    """COPYed in when new and plain, as `_registered`; else the INSERT."""
    fresh: list[tuple[str | None, ...]] | None = []
    amounts = []
    try:
        for e in events:
            p = e.payload
            if fresh is None or (amount := _cents(p["amount"])) is None:
                fresh = None
                break
            amounts.append(amount)
            fresh.append((p["promised_payment_id"], p["account_id"], p["amount"], p["taken_at"], p["due_at"],
                          "outstanding"))
    except (KeyError, ArithmeticError):
        fresh = None
    if fresh is not None and await copy_new_rows(conn, "cabinet_promised_payments", _PROMISED_COLUMNS, fresh):
        await move_funds_many(conn, ((e.payload["account_id"], e.occurred_at, amount, ZERO, amount, ZERO)
                                     for e, amount in zip(events, amounts, strict=True)))
        return
    rows = await conn.fetch(
        "INSERT INTO cabinet_promised_payments (promised_payment_id, account_id, amount, taken_at, due_at, status)"
        " SELECT promised_payment_id, account_id, amount, taken_at, due_at, 'outstanding'"
        " FROM jsonb_to_recordset($1::text::jsonb) AS x(promised_payment_id text, account_id text, amount numeric,"
        " taken_at timestamptz, due_at timestamptz, at_ timestamptz) ON CONFLICT DO NOTHING"
        " RETURNING account_id, amount, promised_payment_id",
        _rows(events),
    )
    at = {e.payload["promised_payment_id"]: e.occurred_at for e in events}
    await move_funds_many(conn, ((r[0], at[r[2]], r[1], ZERO, r[1], ZERO) for r in rows))


async def _repaid(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    rows = _rows(events)
    await conn.execute(
        "UPDATE cabinet_promised_payments c SET repaid = c.repaid + x.amount,"
        " status = CASE WHEN x.fully_repaid THEN 'repaid' ELSE c.status END,"
        " settled_at = CASE WHEN x.fully_repaid THEN x.at_ END"
        " FROM jsonb_to_recordset($1::text::jsonb) AS x(promised_payment_id text, amount numeric, fully_repaid boolean,"
        " at_ timestamptz) WHERE c.promised_payment_id = x.promised_payment_id",
        rows,
    )
    await move_funds_many(conn, ((e.payload["account_id"], e.occurred_at, -amount, ZERO, -amount, ZERO)
                                 for e in events for amount in (_amount(e.payload["amount"]),)))


async def _expired(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    await conn.execute(
        "UPDATE cabinet_promised_payments c SET withdrawn = c.withdrawn + x.withdrawn, status = 'expired',"
        " settled_at = x.at_ FROM jsonb_to_recordset($1::text::jsonb) AS x(promised_payment_id text, withdrawn numeric,"
        " at_ timestamptz) WHERE c.promised_payment_id = x.promised_payment_id",
        _rows(events),
    )
    await move_funds_many(conn, ((e.payload["account_id"], e.occurred_at, -amount, ZERO, -amount, ZERO)
                                 for e in events for amount in (_amount(e.payload["withdrawn"]),)))


async def _autopay_set(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    await conn.execute(
        "INSERT INTO cabinet_autopay (account_id, enabled, provider, method_masked, cap, updated_at)"
        " SELECT account_id, true, provider, method_masked, cap, at_ FROM jsonb_to_recordset($1::text::jsonb)"
        " AS x(account_id text, provider text, method_masked text, cap numeric, at_ timestamptz)"
        " ON CONFLICT (account_id) DO UPDATE SET enabled = true, provider = excluded.provider,"
        " method_masked = excluded.method_masked, cap = excluded.cap, updated_at = excluded.updated_at",
        _rows(events),
    )


async def _autopay_disabled(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    await conn.execute(
        "UPDATE cabinet_autopay c SET enabled = false, provider = NULL, method_masked = NULL, cap = NULL,"
        " updated_at = x.at_ FROM jsonb_to_recordset($1::text::jsonb) AS x(account_id text, at_ timestamptz)"
        " WHERE c.account_id = x.account_id",
        _rows(events),
    )


async def _autopay_outcome(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    outcome = "charged" if events[0].event_type == "AutopayCharged" else "failed"
    await conn.execute(
        "UPDATE cabinet_autopay c SET last_period = x.period, last_outcome = $2, last_amount = x.amount,"
        " last_reason = x.reason, updated_at = x.at_ FROM jsonb_to_recordset($1::text::jsonb)"
        " AS x(account_id text, period text, amount numeric, reason text, at_ timestamptz)"
        " WHERE c.account_id = x.account_id",
        _rows(events), outcome,
    )


async def _guarantee(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    """COPYed in when new and plain (the column rounds the amount as the INSERT's does); else the INSERT."""
    try:
        fresh = [(p["guarantee_id"], p["account_id"], p["amount"], p["pay_by"], p.get("invoice_ref"),
                  registered if (registered := p.get("registered_at")) is not None else e.occurred_at.isoformat())
                 for e in events for p in (e.payload,)]
    except KeyError:
        fresh = []
    if fresh and await copy_new_rows(conn, "cabinet_guarantees", _GUARANTEE_COLUMNS, fresh):
        return
    await conn.execute(
        "INSERT INTO cabinet_guarantees (guarantee_id, account_id, amount, pay_by, invoice_ref, registered_at)"
        " SELECT guarantee_id, account_id, amount, pay_by, invoice_ref, coalesce(registered_at, at_)"
        " FROM jsonb_to_recordset($1::text::jsonb) AS x(guarantee_id text, account_id text, amount numeric,"
        " pay_by date, invoice_ref text, registered_at timestamptz, at_ timestamptz) ON CONFLICT DO NOTHING",
        _rows(events),
    )


def _amount(value: Any) -> Decimal:
    return Decimal(str(value))


BULK: dict[str, BulkApply] = {
    "PaymentRegistered": _registered,
    "PaymentReversed": _reversed,
    "PromisedPaymentTaken": _taken,
    "PromisedPaymentRepaid": _repaid,
    "PromisedPaymentExpired": _expired,
    "AutopayEnabled": _autopay_set,
    "AutopayChanged": _autopay_set,
    "AutopayDisabled": _autopay_disabled,
    "AutopayCharged": _autopay_outcome,
    "AutopayFailed": _autopay_outcome,
    "PaymentGuaranteeRegistered": _guarantee,
}
