"""Money only for accounts the payments service knows (issue 10, item 1): every route that takes
money refuses an account its projection of accounts' events never heard of with 404
`account.not_found` and appends nothing; one opened a moment ago is waited for (bounded); a closed
account refuses top-ups, promised payments, autopay and guarantees but still takes an operator's
payment (flagged), and a provider's callback for a top-up whose account was closed meanwhile is
registered, never lost, and flagged for an operator."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from services.payments.application.context import Payments
from services.payments.application.register_payment import register_operator_payment
from services.payments.domain.account import PaymentRequest
from shared.db import Pool
from tests.payments.conftest import event_types
from tests.payments.factories import INTERNAL, META, NOW, OPENED, account_event, feed_facts, opened_account

PAYMENT = {"amount": "150.00", "method": "cash", "external_id": "cash-0001", "paid_at": "2026-11-20T10:00:00+03:00"}

#: Every internal route that takes money, with a body that would be accepted for a known account.
MONEY_ROUTES = [
    ("POST", "/internal/v1/payments", {**PAYMENT, "account_id": "{a}"}),
    ("POST", "/internal/v1/accounts/{a}/top-ups", {"amount": "10.00", "provider": "sandbox"}),
    ("POST", "/internal/v1/accounts/{a}/promised-payments", {"amount": "10.00"}),
    ("PUT", "/internal/v1/accounts/{a}/autopay", {"provider": "sandbox", "method_token": "sandbox-card-4242"}),
    ("POST", "/internal/v1/accounts/{a}/guarantees", {"amount": "10.00", "pay_by": "2026-12-01"}),
]


def _fill(value: Any, account_id: str) -> Any:
    return json.loads(json.dumps(value).replace("{a}", account_id))


async def stored(database_url: str) -> dict[str, int]:
    """What a refused command must not have written: events, top-ups, saved methods, timers."""
    conn = await asyncpg.connect(database_url)
    try:
        return {table: int(await conn.fetchval(f"SELECT count(*) FROM payments.{table}"))
                for table in ("events", "top_ups", "payment_methods", "timers")}
    finally:
        await conn.close()


@pytest.mark.parametrize(("method", "path", "body"), MONEY_ROUTES, ids=[p for _, p, _ in MONEY_ROUTES])
async def test_an_account_nobody_opened_takes_no_money_on_any_route(
    app_client: AsyncTestClient[Any], database_url: str, method: str, path: str, body: dict[str, Any]
) -> None:
    for account_id in ("no-such", "nosuch99"):
        response = await app_client.request(method, _fill(path, account_id), json=_fill(body, account_id),
                                            headers={**INTERNAL, "idempotency-key": f"k-{account_id}"})
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "account.not_found" and "not known" in problem["detail"]
    assert await stored(database_url) == {"events": 0, "top_ups": 0, "payment_methods": 0, "timers": 0}


async def test_an_account_opened_a_moment_before_its_first_payment_is_waited_for(
    payments: Payments, payments_pool: Pool
) -> None:
    """Accounts' events reach the payments service within about 100 ms: a payment sent right after
    the opening waits for them (bounded) instead of being refused."""
    async def opened_later() -> None:
        await asyncio.sleep(0.3)
        await feed_facts(payments_pool, opened_account("5005", OPENED))

    opening = asyncio.create_task(opened_later())
    request = PaymentRequest("5005", Decimal("150.00"), "cash", "cash-0001", NOW)
    paid = await register_operator_payment(payments, request, META)
    await opening
    assert paid.body["account_id"] == "5005" and "account_closed" not in paid.body
    assert await event_types(payments_pool, "5005") == ["PaymentRegistered"]


async def closed_1015(payments_pool: Pool) -> None:
    await feed_facts(payments_pool, [account_event("AccountClosed", "1015", 3, reason="contract_ended")])


async def test_a_closed_account_takes_no_top_up_promised_payment_autopay_or_guarantee(
    payments_pool: Pool, account_1015: str, app_client: AsyncTestClient[Any], database_url: str
) -> None:
    await closed_1015(payments_pool)
    codes = {}
    for method, path, body in MONEY_ROUTES[1:]:
        response = await app_client.request(method, _fill(path, "1015"), json=_fill(body, "1015"), headers=INTERNAL)
        assert response.status_code == 422, response.text
        codes[path.rsplit("/", 1)[1]] = response.json()["code"]
    assert codes == {"top-ups": "top_up.account_closed", "promised-payments": "promised_payment.account_closed",
                     "autopay": "autopay.account_closed", "guarantees": "guarantee.account_closed"}
    assert await stored(database_url) == {"events": 0, "top_ups": 0, "payment_methods": 0, "timers": 0}


async def test_an_operators_payment_to_a_closed_account_is_registered_and_flagged(
    payments_pool: Pool, account_1015: str, app_client: AsyncTestClient[Any], database_url: str
) -> None:
    """A debt paid in cash after the contract was closed is still money received: on the books."""
    await closed_1015(payments_pool)
    paid = await app_client.post("/internal/v1/payments", json={**PAYMENT, "account_id": "1015"}, headers=INTERNAL)
    assert paid.status_code == 201, paid.text
    assert paid.json()["account_closed"] is True
    again = await app_client.post("/internal/v1/payments", json={**PAYMENT, "account_id": "1015"}, headers=INTERNAL)
    assert again.status_code == 200 and again.json()["payment_id"] == paid.json()["payment_id"]
    assert (await stored(database_url))["events"] == 1


async def test_a_callback_for_an_account_closed_after_its_top_up_started_is_registered_and_flagged(
    payments_pool: Pool, account_1015: str, app_client: AsyncTestClient[Any], database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The provider took the money: the payment is registered (never lost) and logged for an
    operator as `top_up.account_closed` (the closed account's credit is what is paid back)."""
    started = await app_client.post("/internal/v1/accounts/1015/top-ups",
                                    json={"amount": "40.00", "provider": "webhook"}, headers=INTERNAL)
    assert started.status_code == 201, started.text
    await closed_1015(payments_pool)
    body = json.dumps({"type": "payment.succeeded", "invoice_id": started.json()["top_up_id"],
                       "payment_id": "pay_after_close", "amount": "40.00"}).encode()
    signature = "sha256=" + hmac.new(b"dev-webhook-secret", body, hashlib.sha256).hexdigest()
    capsys.readouterr()
    paid = await app_client.post("/public/v1/providers/webhook/callback", content=body,
                                 headers={"x-signature": signature})
    assert paid.status_code == 200 and paid.json()["status"] == "registered", paid.text
    conn = await asyncpg.connect(database_url)
    try:
        types = [r[0] for r in await conn.fetch("SELECT event_type FROM payments.events ORDER BY global_position")]
    finally:
        await conn.close()
    assert types == ["TopUpStarted", "PaymentRegistered"]
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    [flag] = [entry for entry in logged if entry.get("event") == "top_up.account_closed"]
    assert flag["account_id"] == "1015" and flag["payment_id"] == "pay_after_close" and flag["level"] == "warning"
    assert signature.removeprefix("sha256=") not in json.dumps(logged)
