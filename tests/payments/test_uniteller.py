"""Uniteller over the payments service's HTTP API: its signed status notification registers one
payment per Uniteller payment (BillNumber), however often and however concurrently it comes;
tampered, mis-signed or mismatched notifications register nothing; other statuses are
acknowledged and change nothing. The payment page URL carries Uniteller's signature."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from tests.payments.test_provider_callbacks import payments_registered, start_top_up

pytestmark = pytest.mark.usefixtures("account_1015")

PASSWORD = "dev-uniteller-password"  # the dev default (BILLING_ENV=test)
URL = "/public/v1/providers/uniteller/notification"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def notification(order_id: str, total: str, bill: str = "1234567890", status: str = "paid") -> dict[str, str]:
    return {"Order_ID": order_id, "Status": status, "BillNumber": bill, "Total": total,
            "Signature": _md5(order_id + status + bill + total + PASSWORD).upper()}


async def test_the_payment_page_url_is_signed_as_uniteller_checks_it(app_client: AsyncTestClient[Any]) -> None:
    top_up = await start_top_up(app_client, "uniteller", "150.00")
    url = urlsplit(top_up["redirect_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://wpay.uniteller.ru/pay/"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (query["Shop_IDP"], query["Order_IDP"], query["Subtotal_P"]) == ("billing-dev", top_up["top_up_id"], "150.00")
    parts = [query["Shop_IDP"], query["Order_IDP"], query["Subtotal_P"], *[""] * 7, PASSWORD]
    assert query["Signature"] == _md5("&".join(_md5(p) for p in parts)).upper()


async def test_a_paid_notification_repeated_and_concurrent_registers_one_payment(
    app_client: AsyncTestClient[Any], database_url: str,
) -> None:
    top_up = await start_top_up(app_client, "uniteller", "150.00")
    paid = notification(top_up["top_up_id"], "150.00")
    sequential = [await app_client.post(URL, data=paid) for _ in range(3)]
    concurrent = await asyncio.gather(*(app_client.post(URL, data=paid) for _ in range(6)))
    for response in [*sequential, *concurrent]:
        assert response.status_code == 200 and response.text == "OK", response.text
    [payment] = await payments_registered(database_url)
    assert (payment["amount"], payment["method"], payment["top_up_id"]) == ("150.00", "uniteller", top_up["top_up_id"])
    assert payment["external_id"] == "uniteller-1234567890"

    # Another Uniteller payment for the same, already paid top-up is money to refund, not a second credit.
    second = await app_client.post(URL, data=notification(top_up["top_up_id"], "150.00", bill="999"))
    assert second.status_code == 409 and second.json()["code"] == "top_up.already_paid"
    assert len(await payments_registered(database_url)) == 1


@pytest.mark.parametrize(("change", "status", "code"), [
    ("tampered_total", 403, "top_up.bad_signature"),
    ("tampered_status", 403, "top_up.bad_signature"),
    ("wrong_password", 403, "top_up.bad_signature"),
    ("wrong_amount", 422, "top_up.amount_mismatch"),
    ("unknown_order", 404, "top_up.unknown_invoice"),
    ("missing_bill_number", 400, "top_up.malformed_callback"),
])
async def test_a_bad_notification_is_refused_and_registers_nothing(
    app_client: AsyncTestClient[Any], database_url: str, change: str, status: int, code: str,
) -> None:
    top_up = await start_top_up(app_client, "uniteller", "150.00")
    order = top_up["top_up_id"]
    good = notification(order, "150.00")
    body = {
        "tampered_total": {**good, "Total": "1500.00"},
        "tampered_status": {**notification(order, "150.00", status="canceled"), "Status": "paid"},
        "wrong_password": {**good, "Signature": _md5(order + "paid1234567890150.00" + "guess").upper()},
        "wrong_amount": notification(order, "15.00"),
        "unknown_order": notification("999999", "150.00"),
        "missing_bill_number": {k: v for k, v in good.items() if k != "BillNumber"},
    }[change]
    response = await app_client.post(URL, data=body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert await payments_registered(database_url) == []


async def test_other_statuses_are_acknowledged_and_change_nothing(
    app_client: AsyncTestClient[Any], database_url: str,
) -> None:
    top_up = await start_top_up(app_client, "uniteller", "150.00")
    for status in ("waiting", "authorized", "canceled"):
        response = await app_client.post(URL, data=notification(top_up["top_up_id"], "150.00", status=status))
        assert response.status_code == 200 and response.text == "OK"
    assert await payments_registered(database_url) == []
