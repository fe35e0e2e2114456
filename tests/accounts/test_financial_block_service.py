"""Financial block and unblock from available funds: payments' events arrive over Kafka (a broker
of the test's own), the accounts service's projection counts them once, and a timer-fired
command blocks a prepaid account below zero and unblocks it at zero or above."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.accounts.factories import AccountsApp, events_of, load_demo, publish_payments_events
from tests.conftest import KafkaSpace
from tests.eventually import eventually

#: The demo debtor opened in debt, as it was before invoicing charged it.
DEBTOR = {"2002": "-120.00"}
PAYMENT = {"account_id": "2002", "payment_id": "p-1", "amount": "100.00", "method": "cash",
           "external_id": "cash-1", "paid_at": "2026-03-11T09:00:00+03:00", "registered_by": "test"}
PROMISED = {"account_id": "2002", "promised_payment_id": "pp-1", "amount": "50.00",
            "taken_at": "2026-03-11T10:00:00+03:00", "due_at": "2026-03-14T10:00:00+03:00"}
REPAYMENT = {"account_id": "2002", "payment_id": "p-2", "amount": "10.00", "method": "cash",
             "external_id": "cash-2", "paid_at": "2026-03-12T09:00:00+03:00", "registered_by": "test"}
REPAID = {"account_id": "2002", "promised_payment_id": "pp-1", "amount": "10.00", "outstanding": "40.00",
          "fully_repaid": False, "payment_id": "p-2"}
EXPIRED = {"account_id": "2002", "promised_payment_id": "pp-1", "withdrawn": "40.00"}


async def available(database_url: str, account_id: str) -> str:
    conn = await asyncpg.connect(database_url)
    try:
        return str(await conn.fetchval(
            "SELECT opening_balance + movements FROM accounts.available_funds WHERE account_id = $1", account_id))
    finally:
        await conn.close()


async def blocks_and_lifts(database_url: str) -> list[tuple[str, str]]:
    events = await events_of(database_url, "FinancialBlockApplied", "FinancialBlockLifted")
    return [(e["type"], e["available"]) for e in events if e["account_id"] == "2002"]


async def test_funds_below_zero_block_and_back_above_unblock_once_each(
    accounts: AccountsApp, database_url: str, kafka: KafkaSpace
) -> None:
    await load_demo(accounts.client, DEBTOR)  # account 2002 opens prepaid at -120.00
    assert await blocks_and_lifts(database_url) == [("FinancialBlockApplied", "-120.00")]

    async def funds_are(expected: str) -> bool:
        return await available(database_url, "2002") == expected

    await publish_payments_events(kafka, [("PaymentRegistered", 1, PAYMENT)])
    await eventually(lambda: funds_are("-20.00"))
    await publish_payments_events(kafka, [("PromisedPaymentTaken", 2, PROMISED)])

    async def lifted() -> bool:
        return len(await blocks_and_lifts(database_url)) == 2

    await eventually(lifted)
    assert (await blocks_and_lifts(database_url))[1] == ("FinancialBlockLifted", "30.00")

    # A redelivery (the same stream version again) is not counted twice and decides nothing.
    await publish_payments_events(kafka, [("PromisedPaymentTaken", 2, PROMISED)])
    # A payment repaying part of the credit leaves the funds as they were (docs/events.md).
    await publish_payments_events(kafka, [("PaymentRegistered", 3, REPAYMENT),
                                                         ("PromisedPaymentRepaid", 4, REPAID)])
    await publish_payments_events(kafka, [("PromisedPaymentExpired", 5, EXPIRED)])

    async def blocked_again() -> bool:
        return len(await blocks_and_lifts(database_url)) == 3

    await eventually(blocked_again)
    await asyncio.sleep(0.5)
    assert await blocks_and_lifts(database_url) == [
        ("FinancialBlockApplied", "-120.00"), ("FinancialBlockLifted", "30.00"), ("FinancialBlockApplied", "-10.00")]
    assert await available(database_url, "2002") == "-10.00"

    # While blocked, a voluntary block is refused.
    refused = await accounts.post("/internal/v1/accounts/2002/blocks", {"starts_on": "2026-03-20", "days": 14})
    assert refused.status_code == 422 and refused.json()["code"] == "block.financially_blocked"


async def test_a_funds_check_after_a_payments_event_decides_the_block_at_once(
    accounts: AccountsApp, database_url: str, kafka: KafkaSpace
) -> None:
    """Read-your-writes for the block status (issue 10, item 9): asked after a payments event, the
    service waits until its funds count it, decides the block then, and names the account stream's
    version holding the decision, so the gateway can wait for its read model to show it."""
    await load_demo(accounts.client, DEBTOR)
    await publish_payments_events(kafka, [("PaymentRegistered", 1, PAYMENT)])

    async def consuming() -> bool:  # the consumer has joined its group (the first join is slow)
        return await available(database_url, "2002") == "-20.00"

    await eventually(consuming)
    await publish_payments_events(kafka, [("PromisedPaymentTaken", 2, PROMISED)])
    settled = await accounts.post("/internal/v1/accounts/2002/funds-check",
                                  {"stream_id": "payment-account-2002", "stream_version": 2, "wait_s": 5})
    assert settled.status_code == 200, settled.text
    assert settled.json()["funds_seen"] is True
    assert await blocks_and_lifts(database_url) == [("FinancialBlockApplied", "-120.00"),
                                                    ("FinancialBlockLifted", "30.00")]
    lifted_at = settled.json()["stream_version"]
    # Asked again (or the timer firing after): nothing more to decide, the same version.
    again = await accounts.post("/internal/v1/accounts/2002/funds-check",
                                {"stream_id": "payment-account-2002", "stream_version": 2})
    assert again.json()["stream_version"] == lifted_at
    assert len(await blocks_and_lifts(database_url)) == 2
    unknown = await accounts.post("/internal/v1/accounts/nobody/funds-check",
                                  {"stream_id": "payment-account-nobody", "stream_version": 1, "wait_s": 0.1})
    assert unknown.status_code == 404 and unknown.json()["code"] == "account.not_found"
