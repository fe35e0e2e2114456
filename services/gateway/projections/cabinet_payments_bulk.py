"""The cabinet payments projection's events applied several at a time (`bulk` handlers, the kernel's
batched path in `shared/projection.py`): each handler gets events of one type, at most one per
account stream, and does with a few set-based statements exactly what `CabinetPayments.apply` does
with each. Every row here belongs to one account, and the funds move by addition, so accounts'
events commute as the kernel requires. A type without a handler here goes through `apply`.
`tests/gateway/projections/test_bulk_apply.py` checks both paths give the same tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from services.gateway.projections.cabinet_balance import ZERO, move_funds_many
from services.gateway.projections.cabinet_credit import (
    _Autopay,
    _AutopayOutcome,
    _Expired,
    _Guarantee,
    _Payload,
    _Repaid,
    _Taken,
)
from shared.db import Connection
from shared.projection import BulkApply, IncomingEvent

__all__ = ["BULK"]


async def _registered(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    from services.gateway.projections.cabinet_payments import _PaymentRegistered  # it imports this module

    ps = [_PaymentRegistered.model_validate(e.payload) for e in events]
    rows = await conn.fetch(
        "INSERT INTO cabinet_payments (payment_id, account_id, amount, method, external_id, paid_at,"
        " registered_at, top_up_id) SELECT * FROM unnest($1::uuid[], $2::text[], $3::numeric[], $4::text[],"
        " $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[])"
        " ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id",
        [p.payment_id for p in ps], [p.account_id for p in ps], [p.amount for p in ps], [p.method for p in ps],
        [p.external_id for p in ps], [p.paid_at for p in ps], [e.occurred_at for e in events],
        [p.top_up_id for p in ps],
    )
    inserted = {r[0] for r in rows}
    await move_funds_many(conn, ((p.account_id, e.occurred_at, p.amount, p.amount, ZERO)
                                 for p, e in zip(ps, events, strict=True) if _uuid(p.payment_id) in inserted))


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)


async def _reversed(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    from services.gateway.projections.cabinet_payments import _PaymentReversed  # it imports this module

    ps = [_PaymentReversed.model_validate(e.payload) for e in events]
    rows = await conn.fetch(
        "UPDATE cabinet_payments c SET reversed_at = u.at, reversal_reason = u.reason"
        " FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS u(payment_id, at, reason)"
        " WHERE c.payment_id = u.payment_id AND c.reversed_at IS NULL RETURNING c.payment_id",
        [p.payment_id for p in ps], [e.occurred_at for e in events], [p.reason for p in ps],
    )
    done = {r[0] for r in rows}
    await move_funds_many(conn, ((p.account_id, e.occurred_at, -p.amount, ZERO, ZERO)
                                 for p, e in zip(ps, events, strict=True) if _uuid(p.payment_id) in done))


async def _taken(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    ps = [_Taken.model_validate(e.payload) for e in events]
    rows = await conn.fetch(
        "INSERT INTO cabinet_promised_payments (promised_payment_id, account_id, amount, taken_at, due_at, status)"
        " SELECT i, a, m, t, d, 'outstanding' FROM unnest($1::text[], $2::text[], $3::numeric[],"
        " $4::timestamptz[], $5::timestamptz[]) AS u(i, a, m, t, d) ON CONFLICT DO NOTHING"
        " RETURNING promised_payment_id",
        [p.promised_payment_id for p in ps], [p.account_id for p in ps], [p.amount for p in ps],
        [p.taken_at for p in ps], [p.due_at for p in ps],
    )
    inserted = {r[0] for r in rows}
    await move_funds_many(conn, ((p.account_id, e.occurred_at, p.amount, ZERO, p.amount)
                                 for p, e in zip(ps, events, strict=True) if p.promised_payment_id in inserted))


async def _repaid(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    ps = [_Repaid.model_validate(e.payload) for e in events]
    await conn.execute(
        "UPDATE cabinet_promised_payments c SET repaid = c.repaid + u.amount,"
        " status = CASE WHEN u.fully THEN 'repaid' ELSE c.status END,"
        " settled_at = CASE WHEN u.fully THEN u.at END"
        " FROM unnest($1::text[], $2::numeric[], $3::boolean[], $4::timestamptz[]) AS u(id, amount, fully, at)"
        " WHERE c.promised_payment_id = u.id",
        [p.promised_payment_id for p in ps], [p.amount for p in ps], [p.fully_repaid for p in ps],
        [e.occurred_at for e in events],
    )
    await move_funds_many(conn, ((p.account_id, e.occurred_at, -p.amount, ZERO, -p.amount)
                                 for p, e in zip(ps, events, strict=True)))


async def _expired(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    ps = [_Expired.model_validate(e.payload) for e in events]
    await conn.execute(
        "UPDATE cabinet_promised_payments c SET withdrawn = c.withdrawn + u.withdrawn, status = 'expired',"
        " settled_at = u.at FROM unnest($1::text[], $2::numeric[], $3::timestamptz[]) AS u(id, withdrawn, at)"
        " WHERE c.promised_payment_id = u.id",
        [p.promised_payment_id for p in ps], [p.withdrawn for p in ps], [e.occurred_at for e in events],
    )
    await move_funds_many(conn, ((p.account_id, e.occurred_at, -p.withdrawn, ZERO, -p.withdrawn)
                                 for p, e in zip(ps, events, strict=True)))


async def _autopay_set(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    ps = [_Autopay.model_validate(e.payload) for e in events]
    await conn.execute(
        "INSERT INTO cabinet_autopay (account_id, enabled, provider, method_masked, cap, updated_at)"
        " SELECT a, true, p, m, c, t FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[],"
        " $5::timestamptz[]) AS u(a, p, m, c, t) ON CONFLICT (account_id) DO UPDATE SET enabled = true,"
        " provider = excluded.provider, method_masked = excluded.method_masked, cap = excluded.cap,"
        " updated_at = excluded.updated_at",
        [p.account_id for p in ps], [p.provider for p in ps], [p.method_masked for p in ps], [p.cap for p in ps],
        [e.occurred_at for e in events],
    )


async def _autopay_disabled(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    await conn.execute(
        "UPDATE cabinet_autopay c SET enabled = false, provider = NULL, method_masked = NULL, cap = NULL,"
        " updated_at = u.at FROM unnest($1::text[], $2::timestamptz[]) AS u(a, at) WHERE c.account_id = u.a",
        [_Payload.model_validate(e.payload).account_id for e in events], [e.occurred_at for e in events],
    )


async def _autopay_outcome(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    ps = [_AutopayOutcome.model_validate(e.payload) for e in events]
    outcome = "charged" if events[0].event_type == "AutopayCharged" else "failed"
    await conn.execute(
        "UPDATE cabinet_autopay c SET last_period = u.period, last_outcome = $6, last_amount = u.amount,"
        " last_reason = u.reason, updated_at = u.at FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[],"
        " $5::timestamptz[]) AS u(a, period, amount, reason, at) WHERE c.account_id = u.a",
        [p.account_id for p in ps], [p.period for p in ps], [p.amount for p in ps], [p.reason for p in ps],
        [e.occurred_at for e in events], outcome,
    )


async def _guarantee(conn: Connection, events: Sequence[IncomingEvent]) -> None:
    ps = [_Guarantee.model_validate(e.payload) for e in events]
    await conn.execute(
        "INSERT INTO cabinet_guarantees (guarantee_id, account_id, amount, pay_by, invoice_ref, registered_at)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::date[], $5::text[], $6::timestamptz[])"
        " ON CONFLICT DO NOTHING",
        [p.guarantee_id for p in ps], [p.account_id for p in ps], [p.amount for p in ps], [p.pay_by for p in ps],
        [p.invoice_ref for p in ps], [p.registered_at or e.occurred_at for p, e in zip(ps, events, strict=True)],
    )


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

