"""The payments service as it runs, fed over Kafka: invoicing's FeesForecast is the only fee
schedule (the offer's monthly fee this period, autopay's need for the next one) and its
ChargePosted lowers the available funds both decide on, once per charge."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from litestar.testing import AsyncTestClient

from shared.clock import FakeClock
from shared.db import Pool
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.payments.conftest import payloads
from tests.payments.factories import INTERNAL, OPENED, charged, forecast, opened_account, publish_account_events

#: 3 days before 1 December, midnight in Minsk.
DUE = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)


async def test_autopay_tops_up_next_periods_forecast_less_the_funds_left_after_charges(
    app_client: AsyncTestClient[Any], payments_pool: Pool, clock: FakeClock, kafka: KafkaSpace, unique: str
) -> None:
    account = f"ap{unique}"
    await publish_account_events(kafka, [
        *opened_account(account, OPENED, fee="25.00"),  # forecast 25.00 a month from January
        forecast(account, 2, date(2026, 11, 1), "30.00"),
        forecast(account, 3, date(2026, 12, 1), "40.00"),
        charged(account, 4, "ch-nov", "30.0050"),
        charged(account, 5, "ch-nov", "30.0050"),  # posted again: counted once
    ])

    async def all_applied() -> bool:
        return bool(await payments_pool.fetchval(
            "SELECT true FROM projection_streams WHERE projection = 'payments.account_facts'"
            " AND stream_id = $1 AND stream_version >= 5", f"charges-{account}"))

    await eventually(all_applied)
    # This period's fee is November's forecast (30.00, not January's 25.00): the offer's maximum.
    offer = await app_client.get(f"/internal/v1/accounts/{account}/promised-payments/offer", headers=INTERNAL)
    assert offer.status_code == 200, offer.text
    assert (offer.json()["max_amount"], offer.json()["recommended_amount"]) == ("30.00", "30.00")
    enabled = await app_client.put(f"/internal/v1/accounts/{account}/autopay", headers=INTERNAL,
                                   json={"provider": "sandbox", "method_token": "sandbox-card-4242"})
    assert enabled.status_code == 200, enabled.text

    clock.set(DUE)

    async def charged_once() -> bool:
        return len(await payloads(payments_pool, "AutopayCharged", account)) == 1

    await eventually(charged_once)
    [autopay] = await payloads(payments_pool, "AutopayCharged", account)
    # December's forecast 40.00 less the funds, -30.005 rounded once to -30.01: 70.01.
    assert (autopay["period"], autopay["amount"]) == ("2026-12", "70.01")

