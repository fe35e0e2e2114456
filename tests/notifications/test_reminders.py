"""Reminders from durable timers on a fake clock: quiet hours, the promised payment due tomorrow,
the end of the billing period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.clock import FakeClock
from tests.eventually import eventually
from tests.invoicing_events import charge_posted, charges_stream, fees_forecast
from tests.notifications.conftest import Notifications
from tests.notifications.factories import (
    PROMISED,
    TOKEN,
    account_opened,
    payment_registered,
    promised_payment_repaid,
    secret_request,
)

#: 12:00 in Minsk (UTC+3), two days before the promised payment below is due.
TAKEN = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def minsk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour - 3, minute, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TAKEN)


async def login_code(notifications: Notifications, code: str) -> Any:
    return await notifications.client.post("/internal/v1/deliveries/secret", headers=TOKEN, json=secret_request(
        notifications.clock.now(), account_ids=["1015"], secret=code))


async def test_quiet_hours_defer_the_due_reminder_but_not_a_login_code(notifications: Notifications) -> None:
    await notifications.subscriber("u-1", "1015", phone="375291111111")
    await notifications.publish("payments", "PromisedPaymentTaken", PROMISED, stream_id="payment-account-1015")
    await notifications.outbox(sms=1, email=0)  # "taken", sent at once: it is midday
    assert notifications.sms.received[0]["text"].startswith("Счёт 1015: обещанный платёж 25,00 руб зачислен.")

    # The day before it is due, at 22:30 in Minsk: the reminder is due, but it is quiet time.
    notifications.clock.set(minsk(20, 22, 30))
    await eventually(lambda: notifications.has_row(
        "SELECT 1 FROM deliveries WHERE source_event_type = 'PromisedPaymentDueTomorrow'"))
    row = (await notifications.sql(
        "SELECT send_after, status FROM deliveries WHERE source_event_type = 'PromisedPaymentDueTomorrow'"))[0]
    assert row["send_after"] == minsk(21, 9) and row["status"] == "queued"

    answer = await login_code(notifications, "731905")
    assert answer.status_code == 201 and answer.json()["status"] == "sent"
    await notifications.outbox(sms=2, email=0)
    assert notifications.sms.received[1]["text"] == "Код для входа в личный кабинет: 731905. Никому его не сообщайте."

    notifications.clock.set(minsk(21, 8, 59))
    await notifications.outbox(sms=2, email=0)
    notifications.clock.set(minsk(21, 9))
    await notifications.outbox(sms=3, email=0)
    assert notifications.sms.received[2]["text"] == (
        "Счёт 1015: обещанный платёж нужно погасить до 21.11.2026 22:30. Осталось 25,00 руб.")


async def test_a_fully_repaid_promised_payment_gets_no_reminder_and_a_partly_repaid_one_shows_the_rest(
    notifications: Notifications,
) -> None:
    await notifications.subscriber("u-1", "1015", phone="375291111111")
    await notifications.publish("payments", "PromisedPaymentTaken", PROMISED, stream_id="payment-account-1015")
    second = {**PROMISED, "account_id": "1016", "promised_payment_id": "pp-2", "amount": "40.00"}
    await notifications.subscriber("u-2", "1016", phone="375292222222")
    await notifications.publish("payments", "PromisedPaymentTaken", second, stream_id="payment-account-1016")
    await notifications.publish("payments", "PromisedPaymentRepaid",
                                promised_payment_repaid("1015", "pp-1", "25.00", "0.00"),
                                stream_id="payment-account-1015")
    await notifications.publish("payments", "PromisedPaymentRepaid",
                                promised_payment_repaid("1016", "pp-2", "15.00", "25.00"),
                                stream_id="payment-account-1016")
    for stream in ("payment-account-1015", "payment-account-1016"):
        await notifications.caught_up(stream)
    assert await notifications.has_row(
        "SELECT 1 FROM promised_payments WHERE promised_payment_id = 'pp-2' AND outstanding = 25")
    # Funds as docs/events.md counts them: the credit, less what was repaid of it.
    assert await notifications.has_row("SELECT 1 FROM account_funds WHERE account_id = '1015' AND credited = 0")
    assert await notifications.has_row("SELECT 1 FROM account_funds WHERE account_id = '1016' AND credited = 25")
    await notifications.outbox(sms=2, email=0)

    notifications.clock.set(minsk(21, 9))  # past the day-before mark (in quiet hours), now morning
    await notifications.outbox(sms=3, email=0)
    reminder = notifications.sms.received[2]
    assert reminder["to"] == "375292222222"
    assert "Осталось 25,00 руб" in reminder["text"]

    # A promised payment heard of only hours before it is due: reminded at once.
    late = {**PROMISED, "promised_payment_id": "pp-3", "amount": "10.00",
            "taken_at": (minsk(18, 12)).isoformat(), "due_at": minsk(21, 15).isoformat()}
    await notifications.publish("payments", "PromisedPaymentTaken", late, stream_id="payment-account-1015",
                                at=minsk(18, 12))  # read three days late (the service was down)
    await notifications.outbox(sms=4, email=0)  # only the reminder: the "taken" news is stale
    assert notifications.sms.received[3]["text"] == (
        "Счёт 1015: обещанный платёж нужно погасить до 21.11.2026 15:00. Осталось 10,00 руб.")


async def account_with_a_line(notifications: Notifications, account: str, form: str, paid: str, fee: str, *,
                              language: str = "ru") -> None:
    """A subscriber with a confirmed phone, an account whose fees invoicing forecasts at `fee` a
    month from November, and a payment on it."""
    await notifications.subscriber(f"u-{account}", account, phone=f"37529{account}00", language=language)
    stream = f"account-{account}"
    await notifications.publish("accounts", "AccountOpened", account_opened(account, form), stream_id=stream)
    await notifications.publish("invoicing", "FeesForecast", fees_forecast(account, "2026-11-01", fee),
                                stream_id=charges_stream(account))
    await notifications.publish("payments", "PaymentRegistered", payment_registered(
        account, paid, payment_id=f"p-{account}", external_id=f"x-{account}",
        paid_at="2026-11-18T09:00:00+00:00", registered_by="t"), stream_id=f"payment-account-{account}")


async def test_the_end_of_period_reminder_goes_to_prepaid_accounts_whose_funds_will_not_cover_the_next_period(
    notifications: Notifications,
) -> None:
    for account, form, paid, fee in (("1015", "prepaid", "10.00", "30.00"), ("1016", "prepaid", "50.00", "30.00"),
                                     ("1017", "postpaid", "0.00", "30.00"), ("1018", "prepaid", "40.00", "30.00")):
        await account_with_a_line(notifications, account, form, paid, fee, language="en" if account == "1018" else "ru")
    # 1018 covers this period, but invoicing forecasts more from 1 December (its tariff goes up).
    await notifications.publish("invoicing", "FeesForecast", fees_forecast("1018", "2026-12-01", "45.00"),
                                stream_id=charges_stream("1018"))
    for account in ("1015", "1016", "1017", "1018"):
        await notifications.caught_up(f"account-{account}")
        await notifications.caught_up(f"payment-account-{account}")
        await notifications.caught_up(charges_stream(account))
    await notifications.outbox(sms=4, email=0)  # the payments' own messages
    assert await notifications.has_row(
        "SELECT 1 FROM timers WHERE timer_key = 'period-end-reminder:2026-12-01' AND due_at = $1", minsk(28, 12))

    notifications.clock.set(minsk(28, 11, 59))
    await notifications.outbox(sms=4, email=0)
    notifications.clock.set(minsk(28, 12))
    await notifications.outbox(sms=6, email=0)
    reminders = {m["to"]: m["text"] for m in notifications.sms.received[4:]}
    assert reminders == {
        "37529101500": "Счёт 1015: с 01.12.2026 абонентская плата 30,00 руб, на счёте 10,00 руб. "
                       "Пополните счёт на 20,00 руб.",
        "37529101800": "Account 1018: fees from 1 Dec 2026 are 45.00 BYN, balance 40.00 BYN. Please top up 5.00 BYN.",
    }
    # The next period's reminder is on the calendar; this one never fires twice.
    assert await notifications.has_row(
        "SELECT 1 FROM timers WHERE timer_key = 'period-end-reminder:2027-01-01' AND fired_at IS NULL")
    notifications.clock.set(minsk(29, 12))
    await notifications.outbox(sms=6, email=0)


async def test_the_reminder_takes_the_periods_forecast_and_counts_the_charges_once(
    notifications: Notifications,
) -> None:
    # Both paid 40.00 against a forecast of 30.00 from November. 1015: invoicing forecasts 45.00 for
    # December (an add-on from then on); an older December forecast (made earlier) arriving late changes nothing.
    # 1016: still 30.00, but November's charges (25.0060, delivered twice and posted again) leave
    # 14.994, rounded once: 14.99.
    for account in ("1015", "1016"):
        await account_with_a_line(notifications, account, "prepaid", "40.00", "30.00")
    await notifications.publish("invoicing", "FeesForecast", fees_forecast("1015", "2026-12-01", "45.00", at=minsk(18, 9)),
                                stream_id=charges_stream("1015"))
    await notifications.publish("invoicing", "FeesForecast", fees_forecast("1015", "2026-12-01", "31.00", at=minsk(17, 9)),
                                stream_id=charges_stream("1015"))
    november = charge_posted("1016", "ch-1016-nov", "25.0060")
    await notifications.publish("invoicing", "ChargePosted", november, stream_id=charges_stream("1016"), times=2)
    await notifications.publish("invoicing", "ChargePosted", november, stream_id=charges_stream("1016"))
    for account in ("1015", "1016"):
        await notifications.caught_up(f"account-{account}")
        await notifications.caught_up(f"payment-account-{account}")
        await notifications.caught_up(charges_stream(account))
    assert await notifications.has_row(
        "SELECT 1 FROM account_funds WHERE account_id = '1016' AND credited = 40 AND charged = 25.006")
    await notifications.outbox(sms=2, email=0)  # the payments' own messages

    notifications.clock.set(minsk(28, 12))
    await notifications.outbox(sms=4, email=0)
    reminders = {m["to"]: m["text"] for m in notifications.sms.received[2:]}
    assert reminders == {
        "37529101500": "Счёт 1015: с 01.12.2026 абонентская плата 45,00 руб, на счёте 40,00 руб. "
                       "Пополните счёт на 5,00 руб.",
        "37529101600": "Счёт 1016: с 01.12.2026 абонентская плата 30,00 руб, на счёте 14,99 руб. "
                       "Пополните счёт на 15,01 руб.",
    }
