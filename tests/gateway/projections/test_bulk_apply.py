"""The batched path (`bulk` handlers, applied in waves by shared/projection.py) gives exactly the
tables the one-event-at-a-time `apply` gives, for every payments event the cabinet reads, with
accounts' streams interleaved as a store or a topic delivers them, split across batches; and so
does a rebuild from the store (its passes keep one stream tracker across batches and write the
balances once at the end). New payments are COPYed in; a payment registered twice, or a value COPY's
text format would have to escape, sends its set through the INSERT instead."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from services.gateway.projections.cabinet_payments import CabinetPayments
from shared.db import Connection, Pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.ops import rebuild
from shared.ops.rebuild import rebuild_projection
from shared.projection import IncomingEvent, apply_batch
from tests.conftest import migrated_pool
from tests.gateway.projections.test_cabinet_payments_projection import MIGRATIONS, T0, paid


class OneByOne:
    """The same projection without its `bulk` handlers."""

    def __init__(self) -> None:
        self.inner = CabinetPayments()
        self.name, self.topics = self.inner.name, self.inner.topics

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        await self.inner.apply(conn, event)


def history(account: str) -> list[tuple[str, dict[str, Any]]]:
    pay = [str(uuid.uuid4()) for _ in range(4)]
    return [
        ("PromisedPaymentTaken", {"promised_payment_id": f"pp-{account}", "amount": "650.00",
                                  "taken_at": T0.isoformat(), "due_at": (T0 + timedelta(days=3)).isoformat()}),
        paid(pay[0], "200.00", 2),
        ("PromisedPaymentRepaid", {"promised_payment_id": f"pp-{account}", "amount": "200.00",
                                   "outstanding": "450.00", "fully_repaid": False, "payment_id": pay[0]}),
        paid(pay[1], "450.00", 3),
        ("PromisedPaymentRepaid", {"promised_payment_id": f"pp-{account}", "amount": "450.00",
                                   "outstanding": "0.00", "fully_repaid": True, "payment_id": pay[1]}),
        ("PromisedPaymentTaken", {"promised_payment_id": f"pp2-{account}", "amount": "100.00",
                                  "taken_at": T0.isoformat(), "due_at": (T0 + timedelta(days=3)).isoformat()}),
        ("PromisedPaymentExpired", {"promised_payment_id": f"pp2-{account}", "withdrawn": "100.00"}),
        paid(pay[2], "50.00", 5),
        ("PaymentReversed", {"payment_id": pay[2], "amount": "50.00", "reason": "bank recalled it",
                             "reversed_by": "operator:op-1"}),
        ("PaymentReversed", {"payment_id": pay[2], "amount": "50.00", "reason": "twice", "reversed_by": "op"}),
        ("AutopayEnabled", {"provider": "sandbox", "method_masked": "****4242", "cap": None}),
        ("AutopayCharged", {"period": "2026-12", "amount": "300.00", "reason": None}),
        ("AutopayChanged", {"provider": "sandbox", "method_masked": "****4242", "cap": "300.00"}),
        ("AutopayFailed", {"period": "2027-01", "amount": "300.00", "reason": "card_declined"}),
        ("AutopayDisabled", {}),
        ("PaymentGuaranteeRegistered", {"guarantee_id": f"g-{account}", "amount": "120.00", "pay_by": "2026-12-10",
                                        "invoice_ref": None, "registered_at": T0.isoformat()}),
        ("SomethingTheCabinetIgnores", {}),
        paid(pay[3], "10.00", 9),
        paid(pay[0], "200.00", 2),  # registered again: the COPY refuses the set, the INSERT skips it
        ("PaymentRegistered", {"payment_id": str(uuid.uuid4()), "amount": "75.50", "method": "card",
                               "external_id": "ch\\x\t1", "top_up_id": f"tu-{account}",  # COPY's text format
                               "paid_at": (T0 + timedelta(hours=8)).isoformat()}),  # would escape these
    ]


def interleaved(accounts: list[str]) -> list[IncomingEvent]:
    """Every account's history, round-robin (the order of a store or a topic across accounts)."""
    streams = {a: history(a) for a in accounts}
    events: list[IncomingEvent] = []
    position = 0
    for n in range(max(len(h) for h in streams.values())):
        for account, kinds in streams.items():
            if n < len(kinds):
                kind, payload = kinds[n]
                position += 1
                events.append(IncomingEvent(
                    event_id=str(uuid.uuid4()), source="/billing/payments", event_type=kind, schema_version=1,
                    stream_id=f"payment-account-{account}", stream_version=n + 1, global_position=position,
                    subject=account, occurred_at=T0 + timedelta(minutes=position),
                    payload={"account_id": account, **payload}))
    return events


TABLES = {
    "cabinet_accounts": "account_id", "cabinet_payments": "payment_id",
    "cabinet_promised_payments": "promised_payment_id", "cabinet_autopay": "account_id",
    "cabinet_guarantees": "guarantee_id",
}


async def test_bulk_handlers_give_the_tables_one_by_one_gives(database_url: str) -> None:
    events = interleaved([str(1000 + n) for n in range(7)])
    # Split across batches at odd places; the last batch is delivered twice.
    batches = [events[:5], events[5:40], events[40:41], events[41:], events[41:]]
    one = await migrated_pool(database_url, "gateway", MIGRATIONS)
    many = await migrated_pool(database_url, "gateway_bulk", MIGRATIONS)
    try:
        applied_one = [await apply_batch(one, OneByOne(), b) for b in batches]
        applied_many = [await apply_batch(many, CabinetPayments(), b) for b in batches]
        assert applied_one == applied_many == [5, 35, 1, len(events) - 41, 0]
        for table, key in TABLES.items():
            rows_one = [dict(r) for r in await one.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
            rows_many = [dict(r) for r in await many.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
            assert rows_one, table
            assert rows_one == rows_many, table
        tracked = "SELECT stream_id, stream_version, global_position FROM projection_streams ORDER BY 1"
        assert [tuple(r) for r in await one.fetch(tracked)] == [tuple(r) for r in await many.fetch(tracked)]
    finally:
        await one.close()
        await many.close()


async def rows_of(pool: Pool) -> dict[str, list[dict[str, Any]]]:
    tables = {table: [dict(r) for r in await pool.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
              for table, key in TABLES.items()}
    tables["projection_streams"] = [dict(r) for r in await pool.fetch(
        "SELECT stream_id, stream_version, global_position FROM projection_streams ORDER BY 1")]
    return tables


async def test_a_rebuild_from_the_store_gives_the_tables_one_by_one_gives(
    database_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = interleaved([str(2000 + n) for n in range(9)])
    payments = await migrated_pool(database_url, "payments")
    live = await migrated_pool(database_url, "gateway", MIGRATIONS)
    one = await migrated_pool(database_url, "gateway_one", MIGRATIONS)
    try:
        for start in range(0, len(events), 20):  # several transactions, each a slice of the rounds
            await payments.executemany(
                "INSERT INTO events (stream_id, stream_type, stream_version, event_id, event_type, schema_version,"
                " partition_key, payload, metadata, occurred_at) VALUES ($1, 'PaymentAccount', $2, $3, $4, 1, $5,"
                " $6, '{}'::jsonb, $7)",
                [(e.stream_id, e.stream_version, uuid.UUID(e.event_id), e.event_type, e.subject, e.payload,
                  e.occurred_at) for e in events[start:start + 20]])
        # Batches that cut streams anywhere, and a tracker that saves and forgets them mid-pass.
        monkeypatch.setattr(rebuild, "BATCH", 13)
        monkeypatch.setattr(rebuild, "TRACKED", 4)
        result = await rebuild_projection(database_url, CabinetPayments(), "gateway", MIGRATIONS)
        assert result["applied"] == len(events)
        stored = [IncomingEvent.from_recorded("payments", e)
                  async for batch in EventStore(payments, registry).iterate_all(batch=1000) for e in batch]
        assert await apply_batch(one, OneByOne(), stored) == len(events)
        rebuilt, expected = await rows_of(live), await rows_of(one)
        assert all(expected.values())
        assert rebuilt == expected
    finally:
        for pool in (payments, live, one):
            await pool.close()
