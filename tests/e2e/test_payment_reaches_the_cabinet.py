"""End to end over running processes, money reaching the cabinet on accounts the tests open
themselves (no demo data): payments API -> event store -> relay -> Kafka -> the gateway's
projection -> the cabinet's balance and history; and (issue 11 item 4, prepaid) the invoicing
service's charges take a new prepaid account below zero and block it, a payment bringing its funds
back to zero or above unblocks it, the cabinet shows the charges in the balance. Every figure comes
from the running services: accounts opens the account, invoicing charges the rest of the month in
advance, accounts decides the block from the one funds formula.

All three tests on one stack (`module_stack`), in any order: each opens an account of its own (1015,
9101) or only asks (without a token; about an account nobody opened)."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from shared.money import round_money
from tests.e2e.conftest import Stack, poll

ACCOUNT = "9101"
PASSWORD = "e2e-9101-pass"  # the test's own subscriber, not demo data


def test_a_registered_payment_shows_in_balance_and_history_once(module_stack: Stack) -> None:
    stack = module_stack
    internal = {"x-internal-token": "e2e-internal", "x-correlation-id": "e2e-corr-1015"}
    cabinet = stack.operator()
    # The payments service takes money only for an account the accounts service opened.
    office = {"x-internal-token": "e2e-internal", "x-actor": "e2e"}
    for path, body in [("/internal/v1/clients", {"client_id": "c1015", "kind": "person", "name": "Иванов Иван",
                                                 "payment_form": "prepaid", "contract_number": "1015",
                                                 "contract_date": "2019-06-01"}),
                       ("/internal/v1/accounts", {"account_id": "1015", "client_id": "c1015",
                                                  "opened_at": "2019-06-01T10:00:00+03:00"})]:
        opened = httpx.post(f"{stack.urls['accounts']}{path}", json=body, headers=office)
        assert opened.status_code == 201, opened.text
    payment = {"account_id": "1015", "amount": "150.00", "method": "cash",
               "external_id": "cash-e2e-1", "paid_at": "2026-11-20T10:00:00+03:00"}
    first = httpx.post(f"{stack.urls['payments']}/internal/v1/payments", json=payment, headers=internal)
    assert first.status_code == 201, first.text
    assert first.headers["x-correlation-id"] == "e2e-corr-1015"
    again = httpx.post(f"{stack.urls['payments']}/internal/v1/payments", json=payment, headers=internal)
    assert again.status_code == 200 and again.json()["payment_id"] == first.json()["payment_id"]

    # The account is known before the payment: wait for the payment, not for any answer.
    balance = poll(
        lambda: httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/balance", headers=cabinet),
        lambda r: r.status_code == 200 and r.json()["balance"] != "0.00",
    )
    assert balance.json()["balance"] == "150.00"
    history = httpx.get(
        f"{stack.urls['gateway']}/api/v1/accounts/1015/payments",
        params={"from": "2026-11-01", "to": "2026-11-30", "limit": 5}, headers=cabinet,
    ).json()
    assert history["total"] == 1
    assert history["items"][0]["external_id"] == "cash-e2e-1"
    assert history["items"][0]["amount"] == "150.00"

    # Out of the range, nothing; the range is checked.
    empty = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/payments",
                      params={"from": "2026-12-01", "to": "2026-12-31"}, headers=cabinet).json()
    assert empty["items"] == [] and empty["total"] == 0
    backwards = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/payments",
                          params={"from": "2026-12-31", "to": "2026-12-01"}, headers=cabinet)
    assert backwards.status_code == 422 and backwards.json()["code"] == "request.invalid_date_range"

    # The correlation id went from the HTTP request into the event, onto Kafka and into the
    # consumer's log line (the gateway's projections run in their own process, the Procfile's
    # gateway-projections).
    applied = [json.loads(line) for line in stack.log_text("gateway-projections").splitlines()
               if line.startswith("{") and "projection.applied" in line]
    assert any(entry.get("correlation_id") == "e2e-corr-1015" for entry in applied)


def test_the_cabinet_requires_a_valid_token_and_hides_unknown_accounts(module_stack: Stack) -> None:
    stack = module_stack
    url = f"{stack.urls['gateway']}/api/v1/accounts/1015/balance"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}).status_code == 401
    missing = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/9999/balance", headers=stack.operator())
    assert missing.status_code == 404 and missing.json()["code"] == "account.not_found"
    schema = httpx.get(f"{stack.urls['gateway']}/schema/openapi.json")
    assert schema.status_code == 200 and "/api/v1/accounts/{account_id}/payments" in schema.json()["paths"]


def test_charges_beyond_the_funds_block_the_account_and_a_payment_unblocks_it(module_stack: Stack) -> None:
    stack = module_stack
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
