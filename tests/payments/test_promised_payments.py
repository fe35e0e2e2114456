"""Promised payments against a real PostgreSQL store: one stream per account decides, timers expire."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from services.payments.application.context import Payments
from services.payments.application.promised_payments import promised_payment_offer, take_promised_payment
from services.payments.application.register_payment import register_payment
from services.payments.domain.account import PaymentRequest
from services.payments.domain.promised_payment import PromisedPaymentRefused
from shared.clock import FakeClock
from shared.commands import CommandResult
from shared.db import Pool
from shared.errors import NotFound
from shared.scheduler import Scheduler
from tests.payments.conftest import event_types, payloads
from tests.payments.factories import META, NOW, OPENED, account_event, feed_facts, opened_account


async def test_100_concurrent_requests_on_one_account_take_exactly_one(
    payments: Payments, payments_pool: Pool
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00"))
    outcomes = await asyncio.gather(
        *(take_promised_payment(payments, "1015", Decimal("20.00"), META, f"key-{n}") for n in range(100)),
        return_exceptions=True,
    )
    taken = [o for o in outcomes if isinstance(o, CommandResult)]
    refused = [o for o in outcomes if isinstance(o, PromisedPaymentRefused)]
    assert len(taken) == 1 and len(refused) == 99, {type(o).__name__ for o in outcomes}
    assert {r.code for r in refused} == {"promised_payment.already_outstanding"}
    assert await event_types(payments_pool) == ["PromisedPaymentTaken"]
    timers = await payments_pool.fetch("SELECT timer_key, due_at FROM timers")
    assert len(timers) == 1 and timers[0]["due_at"] == NOW + timedelta(days=3)


async def test_taken_then_partially_repaid_then_expired_by_its_timer_withdrawing_the_rest(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED, fee="25.00"))
    taken = await take_promised_payment(payments, "1015", Decimal("25.00"), META, "take-1")
    assert taken.body["due_at"] == (NOW + timedelta(days=3)).isoformat() and taken.body["outstanding"] == "25.00"
    clock.advance(timedelta(days=1))
    cash = PaymentRequest("1015", Decimal("10.00"), "cash", "cash-77", clock.now())
    await register_payment(payments.store, clock, cash, META)
    [repaid] = await payloads(payments_pool, "PromisedPaymentRepaid")
    assert (repaid["amount"], repaid["outstanding"], repaid["fully_repaid"]) == ("10.00", "15.00", False)

    clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert await timers.fire_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await timers.fire_due() == 1
    [expired] = await payloads(payments_pool, "PromisedPaymentExpired")
    assert expired["withdrawn"] == "15.00"
    assert await event_types(payments_pool) == [
        "PromisedPaymentTaken", "PaymentRegistered", "PromisedPaymentRepaid", "PromisedPaymentExpired"]

    offer = await promised_payment_offer(payments, "1015")
    assert offer["available"] and offer["outstanding"] is None  # the next one may be taken


async def test_a_fully_repaid_promised_payment_cancels_its_expiry(
    payments: Payments, payments_pool: Pool, clock: FakeClock, timers: Scheduler
) -> None:
    await feed_facts(payments_pool, opened_account("1015", OPENED))
    await take_promised_payment(payments, "1015", Decimal("25.00"), META)
    await register_payment(payments.store, clock, PaymentRequest("1015", Decimal("30.00"), "cash", "c-1", NOW), META)
    clock.advance(timedelta(days=5))
    assert await timers.fire_due() == 0
    assert "PromisedPaymentExpired" not in await event_types(payments_pool)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("young", "promised_payment.account_too_young"),
        ("closed", "promised_payment.account_closed"),
        ("above_cap", "promised_payment.above_cap"),
    ],
)
async def test_refusals_have_a_clear_code_and_append_nothing(
    payments: Payments, payments_pool: Pool, case: str, code: str
) -> None:
    opened = NOW - timedelta(days=59) if case == "young" else OPENED
    events = opened_account("1015", opened, fee="25.00")
    if case == "closed":
        events.append(account_event("AccountClosed", "1015", 3, at=NOW.isoformat()))
    await feed_facts(payments_pool, events)
    with pytest.raises(PromisedPaymentRefused) as refused:
        await take_promised_payment(payments, "1015", Decimal("25.01" if case == "above_cap" else "10.00"), META)
    assert refused.value.code == code
    assert await event_types(payments_pool) == []
    offer = await promised_payment_offer(payments, "1015")
    assert offer["available"] is (case == "above_cap")
    assert offer["reason"] == (None if case == "above_cap" else code)


async def test_an_account_the_accounts_service_never_mentioned_is_not_found(payments: Payments) -> None:
    with pytest.raises(NotFound) as missing:
        await take_promised_payment(payments, "4040", Decimal("10.00"), META)
    assert missing.value.code == "account.not_found"
