"""The bill run at period close on a real PostgreSQL: one regular invoice per account and period,
gapless numbers per series under concurrent workers (account by account and in overlapping
batches), a re-run creating nothing, progress in batches, a batch meeting a concurrent writer."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import asyncpg
import pytest

from services.invoicing.application.bill_run import (
    invoice_account,
    invoice_accounts,
    run_bill_run_batch,
    start_bill_run,
)
from services.invoicing.application.context import Invoicing
from services.invoicing.application.delivery import change_delivery
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.domain.events import FeesForecast
from shared.clock import FakeClock
from shared.eventstore import Metadata
from tests.eventually import eventually
from tests.invoicing.conftest import stream
from tests.invoicing.factories import account_event, at, feed_facts, opened_isp_account

NOV = date(2026, 11, 1)
META = Metadata(correlation_id="test-bill-run", actor="test")


async def _accounts(invoicing: Invoicing, count: int) -> list[str]:
    ids = [f"{1000 + n}" for n in range(count)]
    for account_id in ids:
        await feed_facts(invoicing.pool, opened_isp_account(account_id, at("2026-10-15")))
    return ids


async def _run_to_the_end(invoicing: Invoicing) -> list[tuple[int, int]]:
    progress = []
    while (run := await run_bill_run_batch(invoicing, NOV)) is not None:
        progress.append((run.done, run.issued))
        if run.finished_at is not None:
            break
    return progress


async def _numbers(invoicing: Invoicing) -> list[int]:
    return [r["seq"] for r in await invoicing.pool.fetch("SELECT seq FROM invoices ORDER BY seq")]


async def _each_invoiced_once(invoicing: Invoicing, ids: list[str]) -> None:
    """Every account of `ids` has exactly one invoice and one InvoiceIssued, numbered 1.. without a gap."""
    assert await _numbers(invoicing) == list(range(1, len(ids) + 1))
    per_account = await invoicing.pool.fetch("SELECT account_id, count(*) FROM invoices GROUP BY account_id")
    assert sorted(r["account_id"] for r in per_account) == ids and {r["count"] for r in per_account} == {1}
    issued_events = await invoicing.pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'InvoiceIssued'")
    assert issued_events == len(ids)

async def test_the_bill_run_invoices_every_account_once_in_batches_and_a_rerun_creates_nothing(
        invoicing: Invoicing, clock: FakeClock) -> None:
    ids = await _accounts(invoicing, 7)
    clock.set(at("2026-12-01", 1))
    invoicing = Invoicing(**{**invoicing.__dict__, "bill_run_batch_size": 3})
    async with invoicing.pool.acquire() as conn, conn.transaction():
        assert await start_bill_run(invoicing, conn, NOV, clock.now())
    assert await _run_to_the_end(invoicing) == [(3, 3), (6, 6), (7, 7)]
    assert await _numbers(invoicing) == [1, 2, 3, 4, 5, 6, 7]
    invoice = await invoicing.pool.fetchrow("SELECT * FROM invoices WHERE account_id = '1003'")
    assert (invoice["number"], invoice["total"], invoice["due_on"]) == ("INV-2026-000004", 650, date(2026, 12, 10))
    kinds = [t for t, _ in await stream(invoicing.pool, "1003")]
    assert kinds == ["ChargePosted", "InvoiceIssued"]  # the closing charges are posted with the invoice
    async with invoicing.pool.acquire() as conn, conn.transaction():
        assert not await start_bill_run(invoicing, conn, NOV, clock.now())
        await conn.execute("UPDATE bill_runs SET finished_at = NULL, cursor = '', done = 0, issued = 0")
    assert await _run_to_the_end(invoicing) == [(3, 0), (6, 0), (7, 0)]
    assert await _numbers(invoicing) == [1, 2, 3, 4, 5, 6, 7]
    assert len(ids) == await invoicing.pool.fetchval("SELECT count(DISTINCT account_id) FROM invoices")


async def test_numbers_stay_gapless_when_workers_invoice_concurrently_the_same_and_other_accounts(
        invoicing: Invoicing, clock: FakeClock) -> None:
    ids = await _accounts(invoicing, 12)
    clock.set(at("2026-12-01", 1))

    async def worker(account_ids: list[str]) -> int:
        issued = 0
        for account_id in account_ids:
            async with invoicing.pool.acquire() as conn, conn.transaction():
                issued += await invoice_account(invoicing, conn, account_id, NOV, clock.now(), META)
        return issued

    # four workers, each over every account, from different ends: every account is raced for
    orders = [ids, ids[::-1], ids[6:] + ids[:6], ids[3:] + ids[:3]]
    issued = await asyncio.gather(*(worker(order) for order in orders))
    assert sum(issued) == 12
    await _each_invoiced_once(invoicing, ids)


async def test_a_batch_skips_accounts_already_invoiced_numbers_the_rest_after_them_and_mails_by_e_mail(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await _accounts(invoicing, 7)
    await change_delivery(invoicing, "1005", "email", "pdf", "a@x.by", "subscriber:u1005")
    clock.set(at("2026-12-01", 1))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        assert await invoice_account(invoicing, conn, "1002", NOV, clock.now(), META) == 1
        assert await start_bill_run(invoicing, conn, NOV, clock.now())
    invoicing = Invoicing(**{**invoicing.__dict__, "bill_run_batch_size": 4})
    assert await _run_to_the_end(invoicing) == [(4, 3), (7, 6)]
    rows = await invoicing.pool.fetch("SELECT account_id, seq FROM invoices ORDER BY seq")
    assert [(r["account_id"], r["seq"]) for r in rows] == [
        ("1002", 1), ("1000", 2), ("1001", 3), ("1003", 4), ("1004", 5), ("1005", 6), ("1006", 7)]
    mailings = await invoicing.pool.fetch("SELECT account_id, kind, invoice_id, addresses FROM invoice_mailings")
    assert [tuple(r.values()) for r in mailings] == [("1005", "regular", "inv-1005-2026-11", ["a@x.by"])]
    assert await invoicing.pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'InvoiceIssued'") == 7


async def test_numbers_stay_gapless_when_workers_invoice_overlapping_batches_concurrently(
        invoicing: Invoicing, clock: FakeClock) -> None:
    ids = await _accounts(invoicing, 12)
    clock.set(at("2026-12-01", 1))

    async def worker(batch: list[str]) -> int:
        async with invoicing.pool.acquire() as conn, conn.transaction():
            return await invoice_accounts(invoicing, conn, batch, NOV, clock.now(), META)

    issued = await asyncio.gather(*(worker(batch) for batch in (ids[:6], ids[3:9], ids[6:], ids, ids[2:5])))
    assert sum(issued) == 12
    await _each_invoiced_once(invoicing, ids)


async def test_a_batch_that_meets_a_concurrent_append_is_decided_again_on_the_stream_as_that_writer_left_it(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await _accounts(invoicing, 5)
    clock.set(at("2026-12-01", 1))
    writer = await invoicing.pool.acquire()
    writing = writer.transaction()
    await writing.start()
    await invoicing.store.append(  # the posting worker, say, in the middle of its transaction on 1003's stream
        writer, stream_id="charges-1003", stream_type="charges", expected_version=0, metadata=META,
        occurred_at=clock.now(), events=[FeesForecast(account_id="1003", period=date(2026, 12, 1),
                                                      amount=Decimal("650.00"), at=clock.now())])

    async def waiting() -> bool:
        return bool(await invoicing.pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))

    async def batch() -> int:
        async with invoicing.pool.acquire() as conn, conn.transaction():
            return await invoice_accounts(invoicing, conn, [f"{1000 + n}" for n in range(5)], NOV, clock.now(), META)

    committed = False
    try:
        running = asyncio.create_task(batch())
        await eventually(waiting)  # the batch's append waits on 1003's uncommitted event
        await writing.commit()
        committed = True
    finally:
        if not committed:
            await writing.rollback()
        await invoicing.pool.release(writer)
    assert await running == 5
    assert await _numbers(invoicing) == [1, 2, 3, 4, 5]
    assert [t for t, _ in await stream(invoicing.pool, "1003")] == ["FeesForecast", "ChargePosted", "InvoiceIssued"]
    assert [t for t, _ in await stream(invoicing.pool, "1004")] == ["ChargePosted", "InvoiceIssued"]


async def test_a_second_regular_invoice_for_an_account_and_period_is_refused_by_the_constraint(
        invoicing: Invoicing) -> None:
    await _accounts(invoicing, 1)
    async with invoicing.pool.acquire() as conn, conn.transaction():
        assert await invoice_account(invoicing, conn, "1000", NOV, at("2026-12-01"), META) == 1
    with pytest.raises(asyncpg.UniqueViolationError):
        await invoicing.pool.execute(
            "INSERT INTO invoices (invoice_id, account_id, period, series, seq, number, payment_form, net, vat,"
            " other_tax, total, issued_at, due_on, subscribers) SELECT 'other', account_id, period, series, 99,"
            " 'x', payment_form, net, vat, other_tax, total, issued_at, due_on, subscribers FROM invoices")


async def test_the_invoice_shows_the_months_last_subscriber_names(invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, [
        *opened_isp_account("1000", at("2026-10-15")),
        account_event("SubscriberRenamed", "1000", 3, at("2026-11-05"), line_id="inet-1000",
                      subscriber_name="Петров П. П.", effective_at=at("2026-11-05").isoformat()),
        account_event("SubscriberRenamed", "1000", 4, at("2026-11-25"), line_id="inet-1000",
                      subscriber_name="Петрова А. П.", effective_at=at("2026-11-25").isoformat()),
        account_event("SubscriberRenamed", "1000", 5, at("2026-12-01", 0), line_id="inet-1000",
                      subscriber_name="Сидорова А. П.", effective_at=at("2026-12-01", 0).isoformat()),
    ])
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "1000", NOV, at("2026-12-01", 1), META)
    subscribers = await invoicing.pool.fetchval("SELECT subscribers FROM invoices WHERE account_id = '1000'")
    assert subscribers == [{"line_id": "inet-1000", "identifier": "0_1000", "subscriber_name": "Петрова А. П."}]


async def test_charges_posted_during_the_month_are_invoiced_with_the_closing_ones(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1000", at("2026-10-15")))
    await drain_posting_queue(invoicing)  # November in advance, on 20 November
    await feed_facts(invoicing.pool, [account_event("AccountClosed", "1000", 3, at("2026-11-20", 15),
                                                    at=at("2026-11-20", 15).isoformat())])
    await drain_posting_queue(invoicing)
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "1000", NOV, at("2026-12-01", 1), META)
    invoice = await invoicing.pool.fetchrow("SELECT net, total FROM invoices WHERE account_id = '1000'")
    # 20 of 30 days, whichever way they were posted (the month in advance, then 10 days credited)
    assert (invoice["net"], invoice["total"]) == (Decimal("361.1111"), Decimal("433.3333"))
