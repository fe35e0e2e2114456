"""End to end over running processes: payments API -> event store -> relay -> Kafka ->
the gateway's projection -> the cabinet's balance and history."""

from __future__ import annotations

import json

import httpx

from tests.e2e.conftest import Stack, poll


def test_a_registered_payment_shows_in_balance_and_history_once(stack: Stack) -> None:
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


def test_the_cabinet_requires_a_valid_token_and_hides_unknown_accounts(stack: Stack) -> None:
    url = f"{stack.urls['gateway']}/api/v1/accounts/1015/balance"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}).status_code == 401
    missing = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/9999/balance", headers=stack.operator())
    assert missing.status_code == 404 and missing.json()["code"] == "account.not_found"
    schema = httpx.get(f"{stack.urls['gateway']}/schema/openapi.json")
    assert schema.status_code == 200 and "/api/v1/accounts/{account_id}/payments" in schema.json()["paths"]
