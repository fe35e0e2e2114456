"""The payments service as it runs: accounts' and invoicing's events arrive over Kafka into its
projection of account facts, and the internal API offers and takes a promised payment once."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.payments.factories import INTERNAL, OPENED, opened_account, publish_account_events


async def offer_once_known(client: AsyncTestClient[Any], account: str) -> dict[str, Any]:
    """The offer once the facts have arrived: the account (accounts' events) and its monthly fee
    (invoicing's FeesForecast, on another topic: it may arrive before or after the account)."""
    offers: list[dict[str, Any]] = []

    async def known() -> bool:
        response = await client.get(f"/internal/v1/accounts/{account}/promised-payments/offer", headers=INTERNAL)
        if response.status_code != 200:
            assert response.json()["code"] == "account.not_found"
            return False
        offers.append(response.json())
        return offers[-1]["reason"] != "promised_payment.no_monthly_fee"

    await eventually(known)
    return offers[-1]


async def test_a_promised_payment_is_offered_from_accounts_facts_and_taken_once(
    app_client: AsyncTestClient[Any], kafka: KafkaSpace, unique: str
) -> None:
    account = f"pp{unique}"
    await publish_account_events(kafka, opened_account(account, OPENED, opening_balance="-10.00"))
    offer = await offer_once_known(app_client, account)
    assert offer["available"] and offer["max_amount"] == "25.00" and offer["recommended_amount"] == "25.00"
    assert offer["term_days"] == 3

    url = f"/internal/v1/accounts/{account}/promised-payments"
    headers = {**INTERNAL, "idempotency-key": "take-1", "x-actor": "subscriber:u-1"}
    taken = await app_client.post(url, json={"amount": "25.00"}, headers=headers)
    assert taken.status_code == 201, taken.text
    body = taken.json()
    assert body["stream_id"] == f"payment-account-{account}" and body["stream_version"] == 1 and body["position"] > 0
    repeat = await app_client.post(url, json={"amount": "25.00"}, headers=headers)
    assert repeat.status_code == 200 and repeat.json()["promised_payment_id"] == body["promised_payment_id"]

    second = await app_client.post(url, json={"amount": "5.00"}, headers={**INTERNAL, "idempotency-key": "take-2"})
    assert second.status_code == 422
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.json()["code"] == "promised_payment.already_outstanding"
    now = (await app_client.get(f"{url}/offer", headers=INTERNAL)).json()
    assert not now["available"] and now["outstanding"]["promised_payment_id"] == body["promised_payment_id"]
    bad = await app_client.post(url, json={"amount": "-1"}, headers=INTERNAL)
    assert bad.status_code == 400 and bad.json()["code"] == "request.invalid"
