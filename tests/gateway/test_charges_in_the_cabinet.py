"""Invoicing's charges in the cabinet, over Kafka: the gateway's balance and summary count each
ChargePosted once (shared/funds.py: opening balance + payments side - charges, rounded once), and
the accounts service, running beside it, blocks the prepaid account they take below zero and lifts
the block when a payment brings it back (the summary's status follows)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.accounts.factories import publish_payments_events
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.gateway.factories import SUBSCRIBER, Cabinet
from tests.invoicing_events import charge_posted, publish_invoicing_events

PAYMENT = {"account_id": "1015", "payment_id": "6f1c1a52-4f51-4c39-9d7e-0d5b8f1f1015", "amount": "60.00",
           "method": "cash", "external_id": "cash-1015-1", "paid_at": "2026-03-11T09:00:00+03:00",
           "registered_by": "test"}
MONEY = ("balance", "available", "charged_total", "promised_outstanding", "opening_balance")


async def test_charges_show_in_the_balance_and_summary_once_and_block_then_unblock_the_account(
    cabinet: Cabinet, kafka: KafkaSpace
) -> None:
    me = await cabinet.login(*SUBSCRIBER)  # account 1015, prepaid, opened with 650.00

    async def page(name: str) -> dict[str, Any]:
        response = await cabinet.client.get(f"/api/v1/accounts/1015/{name}", headers=me)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def money_is(expected: dict[str, str], status: str) -> bool:
        summary, balance = await page("summary"), await page("balance")
        shown = {k: summary[k] for k in MONEY}
        return shown == expected and {k: balance[k] for k in MONEY} == expected and summary["status"] == status

    assert await money_is({"balance": "650.00", "available": "650.00", "charged_total": "0.00",
                           "promised_outstanding": "0.00", "opening_balance": "650.00"}, "active")

    # March's subscription and an add-on, at 4 decimals: 650.00 - 700.005 = -50.005, rounded once.
    charged = {"balance": "-50.01", "available": "-50.01", "charged_total": "700.01",
               "promised_outstanding": "0.00", "opening_balance": "650.00"}
    ids = await publish_invoicing_events(kafka, [
        ("ChargePosted", 1, charge_posted("1015", "ch-1015-03-sub", "600.0025", period="2026-03-01")),
        ("ChargePosted", 2, charge_posted("1015", "ch-1015-03-tv", "100.0025", period="2026-03-01", kind="add_on")),
    ])
    await eventually(lambda: money_is(charged, "blocked_financial"))

    # Delivered again (the same event) and posted again (a new event, the same charge): nothing moves.
    await publish_invoicing_events(kafka, [("ChargePosted", 2, charge_posted("1015", "ch-1015-03-tv", "100.0025",
                                                                             period="2026-03-01", kind="add_on"))],
                                   event_ids=[ids[1]])
    await publish_invoicing_events(kafka, [("ChargePosted", 3, charge_posted("1015", "ch-1015-03-sub", "600.0025",
                                                                             period="2026-03-01"))])

    async def applied_up_to_3() -> bool:
        return bool(await cabinet.read_model(
            "SELECT true FROM projection_streams WHERE projection = 'gateway.cabinet_payments'"
            " AND stream_id = 'charges-1015' AND stream_version >= 3"))

    await eventually(applied_up_to_3)
    await asyncio.sleep(0.3)
    assert await money_is(charged, "blocked_financial")

    # A payment back above zero: 650.00 + 60.00 - 700.005 = 9.995, rounded once: 10.00; unblocked.
    await publish_payments_events(kafka, [("PaymentRegistered", 1, PAYMENT)])
    await eventually(lambda: money_is({"balance": "10.00", "available": "10.00", "charged_total": "700.01",
                                       "promised_outstanding": "0.00", "opening_balance": "650.00"}, "active"))
