"""End to end over running processes (issue 11 item 4, prepaid): charges beyond a prepaid account's
funds block it, and a payment bringing the funds back to zero or above unblocks it; the cabinet
shows the charges in the balance. Invoicing is not among the Procfile's processes yet: the test
puts its ChargePosted on the stack's topic, as invoicing's relay will."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import KafkaSpace
from tests.e2e.conftest import Stack, poll
from tests.invoicing_events import charge_posted, publish_invoicing_events

SUBSCRIBER = ("1015", "demo-1015-pass")  # demo data only (deploy/demo/requests.json): 650.00 + paid 25.00


def test_charges_beyond_the_funds_block_the_account_and_a_payment_unblocks_it(stack: Stack, kafka: KafkaSpace) -> None:
    stack.load_demo_data()
    me = stack.login(*SUBSCRIBER)
    summary = f"{stack.urls['gateway']}/api/v1/accounts/1015/summary"
    active = poll(lambda: httpx.get(summary, headers=me),
                  lambda r: r.status_code == 200 and r.json()["balance"] == "675.00")
    assert (active.json()["status"], active.json()["balance"]) == ("active", "675.00"), active.text

    asyncio.run(publish_invoicing_events(kafka, [
        ("ChargePosted", 1, charge_posted("1015", "e2e-1015-sub", "700.0025")),
        ("ChargePosted", 2, charge_posted("1015", "e2e-1015-tv", "25.0025", kind="add_on")),
    ]))
    blocked = poll(lambda: httpx.get(summary, headers=me), lambda r: r.json()["status"] == "blocked_financial")
    assert blocked.json()["status"] == "blocked_financial", blocked.text
    # 675.00 - 725.005, rounded once; the accounts service decided on the same figure.
    assert (blocked.json()["balance"], blocked.json()["charged_total"]) == ("-50.01", "725.01")

    paid = httpx.post(f"{stack.urls['payments']}/internal/v1/payments", headers={
        "x-internal-token": stack.env["INTERNAL_API_TOKEN"], "x-actor": "e2e", "idempotency-key": "e2e-pay-1015"},
        json={"account_id": "1015", "amount": "60.00", "method": "cash", "external_id": "e2e-cash-1015",
              "paid_at": "2026-11-20T10:00:00+03:00"})
    assert paid.status_code == 201, paid.text
    unblocked = poll(lambda: httpx.get(summary, headers=me), lambda r: r.json()["status"] == "active")
    assert (unblocked.json()["status"], unblocked.json()["balance"]) == ("active", "10.00"), unblocked.text
    balance = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/balance", headers=me).json()
    assert (balance["available"], balance["charged_total"], balance["paid_total"]) == ("10.00", "725.01", "85.00")
