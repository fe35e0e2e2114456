"""Providers' signatures: Robokassa's ResultURL (MD5 over OutSum:InvId:Password#2), the generic
HMAC-SHA256 webhook, the sandbox's signed form. Pure: no network, no database."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.payments.adapters.providers.hmac_webhook import HmacWebhook
from services.payments.adapters.providers.robokassa import Robokassa
from services.payments.adapters.providers.sandbox import Sandbox
from services.payments.domain.providers import CallbackRefused, TopUp
from shared.clock import SystemClock

ROBOKASSA = Robokassa("shop", "pass-one", "pass-two", "https://auth.robokassa.ru/Merchant/Index.aspx", True)
TOP_UP = TopUp(100001, "1015", Decimal("150.00"), "robokassa")


def test_robokassa_checkout_url_is_signed_with_password_one() -> None:
    query = parse_qs(urlsplit(ROBOKASSA.checkout_url(TOP_UP)).query)
    base = "shop:150.00:100001:pass-one:Shp_account=1015"
    assert query["SignatureValue"] == [hashlib.md5(base.encode()).hexdigest().upper()]
    assert query["OutSum"] == ["150.00"] and query["InvId"] == ["100001"] and query["IsTest"] == ["1"]


def test_robokassa_result_is_verified_over_the_values_as_sent() -> None:
    signature = hashlib.md5(b"150.000000:100001:pass-two:Shp_account=1015").hexdigest()  # lower case is fine
    params = {"OutSum": "150.000000", "InvId": "100001", "SignatureValue": signature, "Shp_account": "1015"}
    paid = ROBOKASSA.verify_result(params)
    assert (paid.invoice_id, paid.payment_id, paid.amount) == (100001, "100001", Decimal("150"))
    assert Robokassa.answer(paid) == "OK100001"


@pytest.mark.parametrize(
    "tamper",
    [{"OutSum": "1500.000000"}, {"InvId": "100002"}, {"Shp_account": "2002"}, {"SignatureValue": "0" * 32},
     {"SignatureValue": ""}],
)
def test_a_tampered_robokassa_result_is_refused(tamper: dict[str, str]) -> None:
    params = {"OutSum": "150.000000", "InvId": "100001", "Shp_account": "1015"}
    params["SignatureValue"] = ROBOKASSA.sign_result(params["OutSum"], params["InvId"], params)
    with pytest.raises(CallbackRefused) as refused:
        ROBOKASSA.verify_result({**params, **tamper})
    assert refused.value.code == "top_up.bad_signature" and refused.value.status == 403


def test_a_robokassa_result_without_a_signature_is_malformed() -> None:
    with pytest.raises(CallbackRefused) as refused:
        ROBOKASSA.verify_result({"OutSum": "1.00", "InvId": "1"})
    assert refused.value.code == "top_up.malformed_callback"


def test_the_webhook_is_verified_by_hmac_sha256_of_the_raw_body() -> None:
    webhook = HmacWebhook("whsec", "https://pay.example/checkout")
    body = json.dumps({"type": "payment.succeeded", "invoice_id": "100001", "payment_id": "pay_1",
                       "amount": "150.00"}).encode()
    paid = webhook.verify(body, webhook.sign(body))
    assert paid is not None and (paid.invoice_id, paid.payment_id, paid.amount) == (100001, "pay_1", Decimal("150"))
    with pytest.raises(CallbackRefused):
        webhook.verify(body.replace(b"150.00", b"950.00"), webhook.sign(body))
    with pytest.raises(CallbackRefused):
        webhook.verify(body, None)
    other = json.dumps({"type": "payment.failed", "invoice_id": "100001"}).encode()
    assert webhook.verify(other, webhook.sign(other)) is None


def test_the_sandbox_page_posts_a_correctly_signed_callback() -> None:
    def no_database() -> None:
        raise AssertionError("not used")

    sandbox = Sandbox("sbx-secret", "http://127.0.0.1:8101", no_database, SystemClock())  # type: ignore[arg-type]
    top_up = TopUp(100007, "1015", Decimal("30.00"), "sandbox")
    form = sandbox.signed_callback(top_up)
    assert sandbox.verify(form).payment_id == "sbx-100007"
    assert form["signature"] in sandbox.page(top_up) and "/public/v1/providers/sandbox/callback" in sandbox.page(top_up)
    with pytest.raises(CallbackRefused):
        sandbox.verify({**form, "amount": "300.00"})


def _robokassa_result(robokassa: Robokassa, **extra: str) -> dict[str, str]:
    params = {"OutSum": "150.000000", "InvId": "100001", "Shp_account": "1015", **extra}
    return {**params, "SignatureValue": robokassa.sign_result("150.000000", "100001", params)}


def test_a_robokassa_test_payment_is_refused_unless_test_mode_is_on() -> None:
    live = Robokassa("shop", "pass-one", "pass-two", "https://auth.robokassa.ru/Merchant/Index.aspx", False)
    assert "IsTest" not in parse_qs(urlsplit(live.checkout_url(TOP_UP)).query)
    with pytest.raises(CallbackRefused) as refused:
        live.verify_result(_robokassa_result(live, IsTest="1"))
    assert refused.value.code == "top_up.test_payment"
    assert live.verify_result(_robokassa_result(live)).amount == Decimal("150")
    assert live.verify_result(_robokassa_result(live, IsTest="0")).amount == Decimal("150")
    assert ROBOKASSA.verify_result(_robokassa_result(ROBOKASSA, IsTest="1")).amount == Decimal("150")


async def test_a_webhook_charge_reports_the_amount_the_provider_charged() -> None:
    def provider(request: httpx.Request) -> httpx.Response:  # a repeated key: the first charge, 55.00
        return httpx.Response(200, json={"status": "succeeded", "payment_id": "wh-1", "amount": "55.00"})

    webhook = HmacWebhook("whsec-test-secret-0001", "https://pay.example.invalid", "https://api.example.invalid/charge",
                          transport=httpx.MockTransport(provider))
    result = await webhook.charge("tok", Decimal("70.00"), "autopay:1015:2026-12")
    assert result.succeeded and result.amount == Decimal("55.00")
