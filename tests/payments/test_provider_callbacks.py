"""Top-ups over the payments service's HTTP API: providers' callbacks register a payment exactly
once per provider payment id, only after their signature checks; everything else is refused."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from services.payments.application.context import Payments
from services.payments.application.top_ups import complete_top_up
from services.payments.domain.providers import CallbackRefused, ProviderPayment
from shared.eventstore import Metadata
from tests.payments.factories import INTERNAL

#: Money is taken only for an account the payments service knows (its projection, fed first).
pytestmark = pytest.mark.usefixtures("account_1015")

ROBOKASSA_PASSWORD_2 = "dev-robokassa-password-2"  # the dev default (BILLING_ENV=test)


async def payments_registered(database_url: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT payload::text FROM payments.events WHERE event_type = 'PaymentRegistered'")
    finally:
        await conn.close()
    return [json.loads(r[0]) for r in rows]


async def start_top_up(client: AsyncTestClient[Any], provider: str, amount: str = "150.00") -> dict[str, Any]:
    response = await client.post("/internal/v1/accounts/1015/top-ups", json={"amount": amount, "provider": provider},
                                 headers=INTERNAL)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def robokassa_result(invoice: str, out_sum: str, account: str = "1015") -> dict[str, str]:
    signed = f"{out_sum}:{invoice}:{ROBOKASSA_PASSWORD_2}:Shp_account={account}"
    return {"OutSum": out_sum, "InvId": invoice, "Shp_account": account,
            "SignatureValue": hashlib.md5(signed.encode()).hexdigest().upper()}


async def test_the_same_robokassa_result_ten_times_some_at_once_registers_one_payment(
    app_client: AsyncTestClient[Any], database_url: str
) -> None:
    top_up = await start_top_up(app_client, "robokassa")
    assert top_up["redirect_url"].startswith("https://auth.robokassa.ru/Merchant/Index.aspx?")
    assert f"InvId={top_up['top_up_id']}" in top_up["redirect_url"]
    result = robokassa_result(top_up["top_up_id"], "150.000000")
    url = "/public/v1/providers/robokassa/result"
    sequential = [await app_client.post(url, data=result) for _ in range(3)]
    concurrent = await asyncio.gather(*(app_client.post(url, data=result) for _ in range(6)))
    by_get = await app_client.get(url, params=result)  # Robokassa may also be set up to use GET
    for response in [*sequential, *concurrent, by_get]:
        assert response.status_code == 200 and response.text == f"OK{top_up['top_up_id']}"
    [payment] = await payments_registered(database_url)
    assert payment["amount"] == "150.00" and payment["method"] == "robokassa"
    assert payment["external_id"] == top_up["top_up_id"] and payment["top_up_id"] == top_up["top_up_id"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ("tampered", 403, "top_up.bad_signature"),
        ("wrong_amount", 422, "top_up.amount_mismatch"),
        ("unknown_invoice", 404, "top_up.unknown_invoice"),
        ("missing_signature", 400, "top_up.malformed_callback"),
        ("test_payment", 400, "top_up.test_payment"),  # IsTest=1 while test mode is off (BILLING_ENV=test)
    ],
)
async def test_a_bad_robokassa_result_is_refused_and_registers_nothing(
    app_client: AsyncTestClient[Any], database_url: str, change: str, status: int, code: str
) -> None:
    top_up = await start_top_up(app_client, "robokassa")
    invoice = top_up["top_up_id"]
    result = {
        "tampered": {**robokassa_result(invoice, "150.000000"), "OutSum": "1500.000000"},
        "wrong_amount": robokassa_result(invoice, "15.00"),  # correctly signed, but not what was asked
        "unknown_invoice": robokassa_result("999999", "150.00"),
        "missing_signature": {"OutSum": "150.00", "InvId": invoice},
        "test_payment": {**robokassa_result(invoice, "150.000000"), "IsTest": "1"},
    }[change]
    response = await app_client.post("/public/v1/providers/robokassa/result", data=result)
    assert response.status_code == status and response.json()["code"] == code
    assert not response.text.startswith("OK")
    assert await payments_registered(database_url) == []


async def test_the_signed_json_webhook_registers_once_and_refuses_a_bad_signature(
    app_client: AsyncTestClient[Any], database_url: str
) -> None:
    top_up = await start_top_up(app_client, "webhook", "40.00")
    body = json.dumps({"type": "payment.succeeded", "invoice_id": top_up["top_up_id"], "payment_id": "pay_81hQ",
                       "amount": "40.00"}).encode()
    signature = "sha256=" + hmac.new(b"dev-webhook-secret", body, hashlib.sha256).hexdigest()
    url = "/public/v1/providers/webhook/callback"
    forged = await app_client.post(url, content=body, headers={"x-signature": "sha256=" + "0" * 64})
    assert forged.status_code == 403 and forged.json()["code"] == "top_up.bad_signature"
    assert await payments_registered(database_url) == []
    first, again = [await app_client.post(url, content=body, headers={"x-signature": signature}) for _ in range(2)]
    assert first.status_code == again.status_code == 200
    assert first.json()["payment_id"] == again.json()["payment_id"]
    [payment] = await payments_registered(database_url)
    assert payment["external_id"] == "pay_81hQ" and payment["method"] == "webhook"


async def test_the_sandbox_page_posts_a_signed_callback_that_registers_the_payment(
    app_client: AsyncTestClient[Any], database_url: str
) -> None:
    top_up = await start_top_up(app_client, "sandbox", "30.00")
    page_path = top_up["redirect_url"].removeprefix("http://127.0.0.1:8101")
    page = await app_client.get(page_path)
    assert page.status_code == 200 and "Pay 30.00" in page.text
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    for _ in range(2):  # a double click is a repeat
        paid = await app_client.post("/public/v1/providers/sandbox/callback", data=form)
        assert paid.status_code == 200 and "is registered" in paid.text
    [payment] = await payments_registered(database_url)
    assert payment["amount"] == "30.00" and payment["external_id"] == f"sbx-{top_up['top_up_id']}"
    unknown = await app_client.get("/public/v1/sandbox/pay/424242")
    assert unknown.status_code == 404


async def test_bad_top_up_requests_are_problems_and_change_nothing(
    app_client: AsyncTestClient[Any], database_url: str
) -> None:
    bad = [{"amount": "0", "provider": "sandbox"}, {"amount": "10.00", "provider": "paypal"},
           {"amount": 10.5, "provider": "sandbox"}, {"amount": "10.00"}, {"amount": "1.001", "provider": "sandbox"}]
    for body in bad:
        response = await app_client.post("/internal/v1/accounts/1015/top-ups", json=body, headers=INTERNAL)
        assert response.status_code == 400 and response.json()["code"] == "request.invalid", body
    foreign = await app_client.post("/internal/v1/accounts/1015/top-ups", json={"amount": "1", "provider": "sandbox"})
    assert foreign.status_code == 401  # the internal API wants the internal token
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM payments.events") == 0
    finally:
        await conn.close()


# -- one top-up, one credit (issue 10, item 10) ---------------------------------------------------
def webhook_callback(invoice: str, payment_id: str, amount: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "payment.succeeded", "invoice_id": invoice, "payment_id": payment_id,
                       "amount": amount}).encode()
    return body, {"x-signature": "sha256=" + hmac.new(b"dev-webhook-secret", body, hashlib.sha256).hexdigest()}


def sandbox_callback(invoice: str, payment_id: str, amount: str) -> dict[str, str]:
    signed = f"{invoice}:{payment_id}:{amount}".encode()
    return {"invoice_id": invoice, "payment_id": payment_id, "amount": amount,
            "signature": hmac.new(b"dev-sandbox-secret", signed, hashlib.sha256).hexdigest()}


async def all_events(database_url: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        return [r[0] for r in await conn.fetch("SELECT event_type FROM payments.events ORDER BY global_position")]
    finally:
        await conn.close()


async def test_a_webhook_top_up_paid_under_two_payment_ids_is_credited_once(
    app_client: AsyncTestClient[Any], database_url: str
) -> None:
    top_up = await start_top_up(app_client, "webhook", "40.00")
    url = "/public/v1/providers/webhook/callback"
    body, headers = webhook_callback(top_up["top_up_id"], "pay_first", "40.00")
    assert (await app_client.post(url, content=body, headers=headers)).status_code == 200
    body, headers = webhook_callback(top_up["top_up_id"], "pay_second", "40.00")
    second = await app_client.post(url, content=body, headers=headers)
    assert second.status_code == 409 and second.json()["code"] == "top_up.already_paid", second.text
    again = await app_client.post(url, content=body, headers=headers)  # the provider retries: still refused
    assert again.status_code == 409 and again.json()["code"] == "top_up.already_paid"
    [payment] = await payments_registered(database_url)
    assert payment["external_id"] == "pay_first"
    assert await all_events(database_url) == ["TopUpStarted", "PaymentRegistered"]


async def test_two_payment_ids_for_one_webhook_top_up_at_once_credit_it_once(
    app_client: AsyncTestClient[Any], database_url: str
) -> None:
    top_up = await start_top_up(app_client, "webhook", "40.00")
    url = "/public/v1/providers/webhook/callback"
    calls = [webhook_callback(top_up["top_up_id"], f"pay_{n}", "40.00") for n in range(4)]
    answers = await asyncio.gather(*(app_client.post(url, content=b, headers=h) for b, h in calls))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [a.text for a in answers]
    assert len(await payments_registered(database_url)) == 1


async def test_a_sandbox_top_up_paid_under_two_payment_ids_is_credited_once(
    app_client: AsyncTestClient[Any], database_url: str
) -> None:
    top_up = await start_top_up(app_client, "sandbox", "30.00")
    url = "/public/v1/providers/sandbox/callback"
    first = await app_client.post(url, data=sandbox_callback(top_up["top_up_id"], "sbx-first", "30.00"))
    assert first.status_code == 200, first.text
    second = await app_client.post(url, data=sandbox_callback(top_up["top_up_id"], "sbx-second", "30.00"))
    assert second.status_code == 409 and second.json()["code"] == "top_up.already_paid", second.text
    [payment] = await payments_registered(database_url)
    assert payment["external_id"] == "sbx-first"
    assert await all_events(database_url) == ["TopUpStarted", "PaymentRegistered"]


async def test_a_robokassa_top_up_is_credited_once_whatever_payment_id_comes_second(
    app_client: AsyncTestClient[Any], database_url: str, payments: Payments
) -> None:
    """Robokassa's ResultURL carries no payment id of its own (the adapter uses InvId), so over HTTP
    every call for an invoice is a repeat; the rule is the same for it: a second id is refused."""
    top_up = await start_top_up(app_client, "robokassa")
    paid = await app_client.post("/public/v1/providers/robokassa/result",
                                 data=robokassa_result(top_up["top_up_id"], "150.000000"))
    assert paid.status_code == 200 and paid.text == f"OK{top_up['top_up_id']}"
    other = ProviderPayment("robokassa", int(top_up["top_up_id"]), "robokassa-op-2", Decimal("150.00"))
    with pytest.raises(CallbackRefused) as refused:
        await complete_top_up(payments, other, Metadata(correlation_id="test", actor="provider:robokassa"))
    assert (refused.value.code, refused.value.status) == ("top_up.already_paid", 409)
    [payment] = await payments_registered(database_url)
    assert payment["external_id"] == top_up["top_up_id"]
    assert await all_events(database_url) == ["TopUpStarted", "PaymentRegistered"]
