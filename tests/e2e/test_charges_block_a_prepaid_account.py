"""End to end over running processes (issue 11 item 4, prepaid): the invoicing service's charges
take a new prepaid account below zero and block it; a payment bringing its funds back to zero or
above unblocks it; the cabinet shows the charges in the balance. Every figure comes from the
running services: accounts opens the account, invoicing charges the rest of the month in advance,
accounts decides the block from the one funds formula."""

from __future__ import annotations

from decimal import Decimal

import httpx

from shared.money import round_money
from tests.e2e.conftest import Stack, poll

ACCOUNT = "9101"
PASSWORD = "e2e-9101-pass"  # the test's own subscriber, not demo data


def test_charges_beyond_the_funds_block_the_account_and_a_payment_unblocks_it(stack: Stack) -> None:
    accounts = stack.urls["accounts"]
    internal = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"], "x-actor": "e2e"}
    for path, body in [
        ("/internal/v1/clients", {"client_id": "c9101", "kind": "person", "name": "Тестов Тест Тестович",
                                  "payment_form": "prepaid", "contract_number": ACCOUNT,
                                  "contract_date": "2026-01-10"}),
        ("/internal/v1/accounts", {"account_id": ACCOUNT, "client_id": "c9101",
                                   "opened_at": "2026-01-10T12:00:00+03:00", "opening_balance": "0.00"}),
        (f"/internal/v1/accounts/{ACCOUNT}/lines", {"line_id": "inet-9101", "identifier": "0_9_101",
                                                    "subscriber_name": "Тестов Т. Т.", "tariff_id": "inet-50-1m"}),
        ("/internal/v1/users", {"user_id": "u9101", "role": "subscriber", "login": ACCOUNT, "phone": "79110009101",
                                "account_ids": [ACCOUNT], "password": PASSWORD, "must_change_password": False,
                                "full_name": "Тестов Тест Тестович", "email": "test9101@example.org"}),
    ]:
        answer = httpx.post(f"{accounts}{path}", json=body, headers=internal)
        assert answer.status_code in (200, 201), (path, answer.text)

    me = stack.login(ACCOUNT, PASSWORD)
    summary = f"{stack.urls['gateway']}/api/v1/accounts/{ACCOUNT}/summary"
    # Invoicing charges the rest of this month's fee in advance; with no money on the account the
    # charge takes it below zero, and the accounts service blocks it.
    blocked = poll(lambda: httpx.get(summary, headers=me),
                   lambda r: r.status_code == 200 and r.json()["status"] == "blocked_financial", timeout=60)
    assert blocked.json()["status"] == "blocked_financial", blocked.text
    charged = Decimal(blocked.json()["charged_total"])
    assert charged > 0 and Decimal(blocked.json()["balance"]) == -charged
    invoicing = httpx.get(f"{stack.urls['invoicing']}/internal/v1/accounts/{ACCOUNT}/charges",
                          headers=internal).json()
    assert round_money(Decimal(invoicing["totals"]["total"])) == charged  # the same charges, rounded once

    # A payment of exactly what is owed brings the funds to zero: the block is lifted.
    owed = charged
    paid = httpx.post(f"{stack.urls['payments']}/internal/v1/payments",
                      headers={**internal, "idempotency-key": "e2e-pay-9101"},
                      json={"account_id": ACCOUNT, "amount": str(owed), "method": "cash", "external_id": "e2e-cash-9101",
                            "paid_at": "2026-11-20T10:00:00+03:00"})
    assert paid.status_code == 201, paid.text
    unblocked = poll(lambda: httpx.get(summary, headers=me), lambda r: r.json()["status"] == "active")
    assert unblocked.json()["status"] == "active", unblocked.text
    assert Decimal(unblocked.json()["balance"]) == 0
    balance = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/{ACCOUNT}/balance", headers=me).json()
    assert (Decimal(balance["charged_total"]), Decimal(balance["paid_total"])) == (charged, owed)
