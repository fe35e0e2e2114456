"""Autopay against a real PostgreSQL store and the sandbox provider, fired by durable timers on a
fake clock: the right amount 3 days before the period, once per period."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx

from services.payments.adapters.providers import Providers
from services.payments.adapters.providers.hmac_webhook import HmacWebhook
from services.payments.application.autopay import (
    RECHECK_AFTER,
    change_autopay_cap,
    disable_autopay,
    enable_autopay,
)
from services.payments.application.context import Payments
from shared.clock import FakeClock
from shared.db import Pool
from shared.scheduler import Scheduler, schedule_timer
from tests.payments.conftest import event_types, payloads, timer_runner
from tests.payments.factories import META, OPENED, account_event, feed_facts, forecast, opened_account

#: 3 days before 1 December, midnight in Minsk.
DUE = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
TOKEN = "sandbox-card-4242"


async def charges(pool: Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM sandbox_charges"))


async def test_autopay_charges_the_next_periods_need_three_days_ahead_once_even_if_the_timer_fires_twice(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    # Fee 25 for December, funds -30: December needs 55.
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00", opening_balance="-30.00"))
    await enable_autopay(payments, "1015", "sandbox", TOKEN, None, META, "enable-1")
    clock.set(DUE - timedelta(seconds=1))
    assert await timers.fire_due() == 0
    clock.set(DUE)
    assert await timers.fire_due() == 1
    assert await event_types(payments_pool) == ["AutopayEnabled", "PaymentRegistered", "AutopayCharged"]
    [charged] = await payloads(payments_pool, "AutopayCharged")
    [payment] = await payloads(payments_pool, "PaymentRegistered")
    assert (charged["period"], charged["amount"], charged["payment_id"]) == ("2026-12", "55.00", payment["payment_id"])
    assert payment["method"] == "autopay" and payment["amount"] == "55.00"

    # The same timer fires again (a crash before its commit, a re-delivery): nothing more.
    async with payments_pool.acquire() as conn:
        await schedule_timer(conn, "autopay:1015:2026-12", "autopay.charge", DUE, {"account_id": "1015",
                                                                                   "period": "2026-12"})
    assert await timers.fire_due() == 1
    clock.advance(timedelta(hours=2))  # and the re-check the first firing left behind
    assert await timers.fire_due() == 1
    assert await charges(payments_pool) == 1
    assert await event_types(payments_pool) == ["AutopayEnabled", "PaymentRegistered", "AutopayCharged"]
    following = await payments_pool.fetchval("SELECT due_at FROM timers WHERE timer_key = 'autopay:1015:2027-01'")
    assert following == datetime(2026, 12, 28, 21, 0, tzinfo=UTC)


async def test_two_firings_racing_for_one_period_charge_once(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00"))
    await enable_autopay(payments, "1015", "sandbox", TOKEN, None, META)
    clock.set(DUE)
    racing = timer_runner(payments)
    async with payments_pool.acquire() as conn:  # a second timer for the same account and period
        await schedule_timer(conn, "autopay:1015:2026-12:recheck-1", "autopay.charge", DUE,
                             {"account_id": "1015", "period": "2026-12", "attempt": 1})
    await asyncio.gather(timers.fire_due(), racing.fire_due())
    assert await charges(payments_pool) == 1
    assert (await event_types(payments_pool)).count("AutopayCharged") == 1


async def test_the_cap_limits_the_charge_and_enough_funds_charge_nothing(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00", opening_balance="-30.00"))
    await feed_facts(payments_pool, opened_account("2002", OPENED, fee="25.00", opening_balance="40.00"))
    await enable_autopay(payments, "1015", "sandbox", TOKEN, Decimal("500.00"), META)
    await change_autopay_cap(payments, "1015", Decimal("20.00"), META)
    await enable_autopay(payments, "2002", "sandbox", TOKEN, None, META)
    clock.set(DUE)
    assert await timers.fire_due() == 2
    [charged] = await payloads(payments_pool, "AutopayCharged")
    assert charged["amount"] == "20.00"
    assert await event_types(payments_pool, "2002") == ["AutopayEnabled"]


async def test_a_declined_charge_is_autopay_failed_and_registers_no_payment(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00"))
    await enable_autopay(payments, "1015", "sandbox", "sandbox-decline-0002", None, META)
    clock.set(DUE)
    assert await timers.fire_due() == 1
    assert await event_types(payments_pool) == ["AutopayEnabled", "AutopayFailed"]
    [failed] = await payloads(payments_pool, "AutopayFailed")
    assert (failed["period"], failed["amount"], failed["reason"]) == ("2026-12", "25.00", "card_declined")


async def test_the_saved_token_stays_out_of_events_and_is_forgotten_on_disable(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00"))
    enabled = await enable_autopay(payments, "1015", "sandbox", TOKEN, None, META)
    assert enabled.body["method_masked"] == "****4242" and TOKEN not in json.dumps(enabled.body)
    assert await payments_pool.fetchval("SELECT token FROM payment_methods WHERE account_id = '1015'") == TOKEN
    await disable_autopay(payments, "1015", META)
    stored = await payments_pool.fetch("SELECT payload::text AS p FROM events")
    assert stored and all(TOKEN not in row["p"] for row in stored)
    assert await payments_pool.fetchval("SELECT count(*) FROM payment_methods") == 0
    clock.set(DUE)
    assert await timers.fire_due() == 0
    assert await charges(payments_pool) == 0
    assert await event_types(payments_pool) == ["AutopayEnabled", "AutopayDisabled"]


async def test_a_closed_account_with_autopay_on_is_not_charged_and_keeps_no_card_nor_timer(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00", opening_balance="-30.00"))
    await enable_autopay(payments, "1015", "sandbox", TOKEN, None, META)
    await feed_facts(payments_pool, [account_event("AccountClosed", "1015", 3, reason="contract_ended")])
    assert await payments_pool.fetchval("SELECT count(*) FROM payment_methods") == 0
    clock.set(DUE)
    assert await timers.fire_due() == 0  # its timer was cancelled with the account

    # A timer that fires anyway (scheduled in a race with the closing, a card saved again): no charge.
    async with payments_pool.acquire() as conn:
        await conn.execute("INSERT INTO payment_methods VALUES ('1015', 'sandbox', $1, '****4242', $2)", TOKEN, DUE)
        await schedule_timer(conn, "autopay:1015:2026-12", "autopay.charge", DUE,
                             {"account_id": "1015", "period": "2026-12"})
    assert await timers.fire_due() == 1
    assert await charges(payments_pool) == 0
    assert await event_types(payments_pool) == ["AutopayEnabled"]
    pending = await payments_pool.fetchval(
        "SELECT count(*) FROM timers WHERE kind = 'autopay.charge' AND fired_at IS NULL AND cancelled_at IS NULL"
    )
    assert pending == 0  # nor one for the following period


class TimingOutProvider:
    """The webhook provider's charge API: the first call charges but its answer never arrives; a
    retry under the same key answers the first charge (and, like some providers, omits the amount)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.asked.append((request.headers["idempotency-key"], body["amount"]))
        if len(self.asked) == 1:
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(200, json={"status": "succeeded", "payment_id": "wh-pay-1"})


async def test_a_retry_after_a_timeout_charges_and_records_the_amount_first_decided(
    payments: Payments, payments_pool: Pool, clock: FakeClock
) -> None:
    provider = TimingOutProvider()
    webhook = HmacWebhook("whsec-test-secret-0001", "https://checkout.example.invalid/pay",
                          "https://provider.example.invalid/charges", transport=httpx.MockTransport(provider))
    ctx = replace(payments, providers=Providers(webhook=webhook))
    timers = timer_runner(ctx)
    # Fee 25 for December, funds -30: the first decision is 55.
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00", opening_balance="-30.00"))
    await enable_autopay(ctx, "1015", "webhook", "card-tok-4242", None, META)
    clock.set(DUE)
    assert await timers.fire_due() == 1
    assert provider.asked == [("autopay:1015:2026-12", "55.00")]
    assert await event_types(payments_pool) == ["AutopayEnabled"]  # no answer: nothing recorded

    # December's forecast changes before the re-check: a recomputed amount would be 70.
    await feed_facts(payments_pool, [forecast("1015", 2, date(2026, 12, 1), "40.00", at=DUE)])
    clock.advance(RECHECK_AFTER)
    assert await timers.fire_due() == 1
    assert provider.asked[1] == ("autopay:1015:2026-12", "55.00")
    [charged] = await payloads(payments_pool, "AutopayCharged")
    [payment] = await payloads(payments_pool, "PaymentRegistered")
    assert charged["amount"] == "55.00" and payment["amount"] == "55.00"
