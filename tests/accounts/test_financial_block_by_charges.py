"""Financial blocks driven by charges (issue 11 item 4, prepaid): invoicing's ChargePosted and
payments' events arrive over Kafka on the test's topics; a charge that takes a prepaid account below
zero blocks it, a payment or promised payment back to zero or above lifts the block; a charge
delivered or posted again changes nothing; a postpaid account is never blocked by charges, only
suspended by an overdue invoice (InvoiceOverdue) while it is unpaid."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.accounts.factories import AccountsApp, events_of, load_demo, publish_payments_events
from tests.accounts.test_financial_block_service import available
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.invoicing_events import charge_posted, invoice_issued, invoice_overdue, publish_invoicing_events

PAYMENT = {"account_id": "1015", "payment_id": "p-1", "amount": "10.00", "method": "cash",
           "external_id": "cash-1", "paid_at": "2026-03-11T09:00:00+03:00", "registered_by": "test"}
PROMISED = {"account_id": "1015", "promised_payment_id": "pp-1", "amount": "0.01",
            "taken_at": "2026-03-12T10:00:00+03:00", "due_at": "2026-03-15T10:00:00+03:00"}


async def blocks_of(database_url: str, account_id: str) -> list[tuple[str, str]]:
    events = await events_of(database_url, "FinancialBlockApplied", "FinancialBlockLifted")
    return [(e["type"], e["available"]) for e in events if e["account_id"] == account_id]


async def test_charges_below_zero_block_a_prepaid_account_and_a_payment_unblocks_it_once_each(
    accounts: AccountsApp, database_url: str, kafka: KafkaSpace
) -> None:
    await load_demo(accounts.client, {"1015": "650.00"})  # 1015 opens prepaid with 650.00
    # Two lines of 4 decimals: 650.00 - 330.0025 - 330.0025 = -10.005, rounded once (half-up): -10.01.
    first = charge_posted("1015", "ch-1", "330.0025")
    await publish_invoicing_events(kafka, [("ChargePosted", 1, first)])
    await eventually(lambda: funds_are(database_url, "1015", "319.9975"))
    assert await blocks_of(database_url, "1015") == []  # still above zero
    await publish_invoicing_events(kafka, [("ChargePosted", 2, charge_posted("1015", "ch-2", "330.0025"))])

    async def blocked() -> bool:
        return await blocks_of(database_url, "1015") == [("FinancialBlockApplied", "-10.01")]

    await eventually(blocked)

    # The same charge again, delivered twice (same version) and posted again (a new version): nothing.
    [event_id] = await publish_invoicing_events(kafka, [("ChargePosted", 2, charge_posted("1015", "ch-2", "330.0025"))])
    await publish_invoicing_events(kafka, [("ChargePosted", 2, charge_posted("1015", "ch-2", "330.0025"))],
                                   event_ids=[event_id])
    await publish_invoicing_events(kafka, [("ChargePosted", 3, charge_posted("1015", "ch-1", "330.0025"))])

    # A payment that leaves the account below zero (-0.005: -0.01) does not lift the block; a
    # promised payment bringing it to zero or above (0.005: 0.01) does.
    await publish_payments_events(kafka, [("PaymentRegistered", 1, PAYMENT)])
    await eventually(lambda: funds_are(database_url, "1015", "-0.0050"))
    await asyncio.sleep(0.3)
    assert await blocks_of(database_url, "1015") == [("FinancialBlockApplied", "-10.01")]
    await publish_payments_events(kafka, [("PromisedPaymentTaken", 2, PROMISED)])

    async def lifted() -> bool:
        return len(await blocks_of(database_url, "1015")) == 2

    await eventually(lifted)
    await asyncio.sleep(0.5)
    assert await blocks_of(database_url, "1015") == [
        ("FinancialBlockApplied", "-10.01"), ("FinancialBlockLifted", "0.01")]
    assert await available(database_url, "1015") == "660.01"  # opening balance + what payments moved
    assert await funds_are(database_url, "1015", "0.0050")  # less the two charges, counted once each

    # A credit line (unused days given back) counts like any charge, the other way.
    await publish_invoicing_events(kafka, [("ChargePosted", 4, charge_posted("1015", "ch-3", "-5.0000",
                                                                              kind="credit"))])
    await eventually(lambda: funds_are(database_url, "1015", "5.0050"))


async def test_a_postpaid_account_is_not_blocked_by_charges(
    accounts: AccountsApp, database_url: str, kafka: KafkaSpace
) -> None:
    await load_demo(accounts.client)  # 3003 is the organization's, postpaid, opened at 0.00
    await publish_invoicing_events(kafka, [("ChargePosted", 1, charge_posted("3003", "ch-3003", "300.0839"))])
    await eventually(lambda: funds_are(database_url, "3003", "-300.0839"))
    await asyncio.sleep(0.5)  # the funds check ran (or would have): no block
    assert await blocks_of(database_url, "3003") == []


async def test_a_postpaid_account_is_suspended_by_an_overdue_invoice_and_resumed_once_it_is_paid(
    accounts: AccountsApp, database_url: str, kafka: KafkaSpace
) -> None:
    await load_demo(accounts.client)  # 3003 is the organization's, postpaid, opened at 0.00
    await publish_invoicing_events(kafka, [
        ("ChargePosted", 1, charge_posted("3003", "ch-3003-10", "300.0839", period="2026-10-01")),
        ("InvoiceIssued", 2, invoice_issued("3003", "i-10", "2026-10-01", "300.0839", "2026-11-25")),
        ("ChargePosted", 3, charge_posted("3003", "ch-3003-11", "120.0000", period="2026-11-01")),
    ])
    await eventually(lambda: funds_are(database_url, "3003", "-420.0839"))
    await asyncio.sleep(0.3)
    assert await blocks_of(database_url, "3003") == []  # issued, not overdue: nothing

    # Past its due date, unpaid, no guarantee: invoicing says so once, and the account is suspended.
    await publish_invoicing_events(kafka, [("InvoiceOverdue", 1, invoice_overdue(
        "3003", "i-10", "2026-10-01", "300.0839", "300.08", "2026-11-25"))])
    await eventually(lambda: blocks_of_are(database_url, "3003", [("FinancialBlockApplied", "-420.08")]))
    [applied] = [e for e in await events_of(database_url, "FinancialBlockApplied") if e["account_id"] == "3003"]
    assert applied["reason"] == "invoice_overdue"

    # A payment short of the invoice leaves it suspended; one that pays the invoice (November's charges
    # are not invoiced yet) resumes it, although the funds are still below zero.
    short = {**PAYMENT, "account_id": "3003", "payment_id": "p-3003-1", "amount": "300.00", "external_id": "b-1"}
    await publish_payments_events(kafka, [("PaymentRegistered", 1, short)])
    await eventually(lambda: funds_are(database_url, "3003", "-120.0839"))
    await asyncio.sleep(0.3)
    assert await blocks_of(database_url, "3003") == [("FinancialBlockApplied", "-420.08")]
    rest = {**PAYMENT, "account_id": "3003", "payment_id": "p-3003-2", "amount": "0.08", "external_id": "b-2"}
    await publish_payments_events(kafka, [("PaymentRegistered", 2, rest)])
    await eventually(lambda: blocks_of_are(database_url, "3003", [
        ("FinancialBlockApplied", "-420.08"), ("FinancialBlockLifted", "-120.00")]))


async def blocks_of_are(database_url: str, account_id: str, expected: list[tuple[str, str]]) -> bool:
    return await blocks_of(database_url, account_id) == expected


async def funds_are(database_url: str, account_id: str, expected: str) -> bool:
    """opening balance + payments' moves - charges, unrounded, as the projection keeps the sums."""
    conn = await asyncpg.connect(database_url)
    try:
        value = await conn.fetchval(
            "SELECT opening_balance + movements - charged FROM accounts.available_funds WHERE account_id = $1",
            account_id)
    finally:
        await conn.close()
    return str(value) == expected
