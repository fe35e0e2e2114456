"""The notifications service's rules, pure: no database, no broker, a fake clock's instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.notifications.adapters.templates import Templates
from services.notifications.domain.catalog import RULES, SECRET_RULES, TOPICS, channels_for, rule_for
from services.notifications.domain.events import MessageAttemptFailed, MessageFailed, MessageQueued, MessageSent
from services.notifications.domain.formatting import format_date, format_datetime, format_money, mask_address
from services.notifications.domain.funds import shortfall
from services.notifications.domain.message import Message, MessageDraft
from services.notifications.domain.timing import (
    QuietHours,
    RetryPolicy,
    period_end_reminder_at,
    promised_payment_reminder_at,
)
from services.notifications.settings import NotificationsSettings
from shared.calendar import first_of_next_month
from shared.clock import FakeClock
from shared.fees import FeeItem, period_fees

MINSK = ZoneInfo("Europe/Minsk")
QUIET = QuietHours()


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=MINSK)


@pytest.mark.parametrize(
    ("at", "released"),
    [
        (local(20, 22, 30), local(21, 9)),  # evening: next morning
        (local(21, 3, 0), local(21, 9)),  # night: this morning
        (local(20, 21, 0), local(21, 9)),  # the first quiet minute
        (local(20, 8, 59), local(20, 9)),
        (local(20, 9, 0), local(20, 9)),  # quiet hours are over
        (local(20, 13, 0), local(20, 13)),
        (local(20, 20, 59), local(20, 20, 59)),
    ],
)
def test_quiet_hours_hold_a_non_urgent_sms_until_they_end(at: datetime, released: datetime) -> None:
    assert QUIET.send_after(at.astimezone(UTC), "sms", False, MINSK) == released


def test_quiet_hours_never_hold_urgent_messages_or_email() -> None:
    night = FakeClock(local(20, 23, 45)).now()
    assert QUIET.send_after(night, "sms", True, MINSK) == night  # a login code
    assert QUIET.send_after(night, "email", False, MINSK) == night


def test_quiet_hours_are_configurable_and_may_be_switched_off() -> None:
    assert QuietHours(time(22), time(7)).send_after(local(20, 21, 30), "sms", False, MINSK) == local(20, 21, 30)
    assert QuietHours(time(13), time(15)).send_after(local(20, 14), "sms", False, MINSK) == local(20, 15)
    assert QuietHours(time(0), time(0)).send_after(local(20, 3), "sms", False, MINSK) == local(20, 3)


def test_retries_back_off_doubling_up_to_a_cap_and_stop_after_the_last() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay=timedelta(minutes=1), max_delay=timedelta(minutes=5))
    assert [policy.delay_after(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 2, 4, 5, 5)]
    assert not policy.is_last(4) and policy.is_last(5)
    assert policy.delay_after(60) == timedelta(minutes=5)


def test_money_and_dates_are_written_for_the_language() -> None:
    assert format_money(Decimal("1234.5"), "ru", "BYN") == "1 234,50 руб"
    assert format_money("1234.5", "en", "BYN") == "1,234.50 BYN"
    assert format_money("-0.005", "ru", "RUB") == "-0,01 руб"  # half-up, through shared.money
    assert format_money("1000000", "en", "RUB") == "1,000,000.00 RUB"
    assert format_date("2026-03-01", "ru") == "01.03.2026"
    assert format_date(date(2026, 3, 1), "en") == "1 Mar 2026"
    assert format_datetime("2026-11-20T21:30:00+00:00", "ru", MINSK) == "21.11.2026 00:30"
    assert format_datetime("2026-11-20T21:30:00+00:00", "en", MINSK) == "21 Nov 2026, 00:30"


def test_addresses_are_masked() -> None:
    assert mask_address("sms", "375291234567") == "37529*****67"
    assert mask_address("sms", "+375291234567") == "+37529*****67"
    assert mask_address("email", "ivan.petrov@example.com") == "i***@example.com"


def test_one_rule_per_event_with_its_topic_and_channels_and_preferences_narrow_them() -> None:
    rule = rule_for("payments", "PaymentRegistered")
    assert rule is not None and rule.topic == "payment_received" and rule.channels == ("sms", "email")
    assert rule_for("accounts", "PaymentRegistered") is None  # the event is read from its owner only
    assert rule_for("payments", "TopUpStarted") is None
    assert channels_for(rule, {}) == ("sms", "email")
    assert channels_for(rule, {"payment_received": ["email"]}) == ("email",)
    assert channels_for(rule, {"payment_received": []}) == ()
    assert channels_for(rule, {"blocks": []}) == ("sms", "email")
    assert TOPICS["period_end_reminder"] == ("sms",)
    assert all(rule.urgent for rule in SECRET_RULES.values())
    assert not any(rule.urgent for rule in RULES.values())


SAMPLES = {
    "payment_received": {"amount": "150.00", "paid_at": "2026-11-20T10:00:00+00:00"},
    "promised_payment_taken": {"amount": "25.00", "due_at": "2026-11-23T10:00:00+00:00"},
    "promised_payment_due": {"amount": "25.00", "due_at": "2026-11-23T10:00:00+00:00"},
    "promised_payment_expired": {"withdrawn": "12.50"},
    "autopay_charged": {"amount": "30.00", "period": "2026-12"},
    "autopay_failed": {"amount": "30.00", "period": "2026-12", "reason": "card declined"},
    "block_scheduled": {"starts_on": "2026-12-01", "ends_on": "2026-12-14", "days": 14},
    "block_started": {"at": "2026-12-01T00:00:00+03:00"},
    "block_ended": {"at": "2026-12-15T00:00:00+03:00", "early": False},
    "financial_block_applied": {"available": "-3.20"},
    "financial_block_lifted": {"available": "10.00"},
    "period_end_reminder": {"available": "10.00", "fees": "30.00", "shortfall": "20.00", "period_start": "2026-12-01"},
    "temporary_password": {"secret": "******", "expires_at": "2026-11-21T10:00:00+00:00"},
    "login_code": {"secret": "******", "expires_at": "2026-11-20T10:05:00+00:00"},
    "phone_confirmation_code": {"secret": "******", "expires_at": "2026-11-20T10:05:00+00:00"},
}


@pytest.mark.parametrize("rule", [*RULES.values(), *SECRET_RULES.values()], ids=lambda rule: rule.template)
def test_every_rule_has_its_messages_in_russian_and_english(rule: object) -> None:
    templates = Templates("BYN", MINSK)
    template = rule.template  # type: ignore[attr-defined]
    for language in ("ru", "en"):
        sms = templates.render(template, "sms", language, {"account_id": "1015", **SAMPLES[template]})
        email = templates.render(template, "email", language, {"account_id": "1015", **SAMPLES[template]})
        assert sms.subject is None and sms.text and len(sms.text) <= 160 * 2
        assert email.subject and email.text.startswith("Здравствуйте!" if language == "ru" else "Hello,")
        assert "{" not in sms.text + email.text


def test_the_next_period_fees_take_the_tariff_in_force_when_it_starts() -> None:
    december = date(2026, 12, 1)
    items = [
        FeeItem(Decimal("30.00"), next_fee=Decimal("45.00"), next_fee_from=december),  # tariff up from December
        FeeItem(Decimal("5.00"), ends_on=december),  # add-on disconnected by then
        FeeItem(Decimal("2.50")),
    ]
    assert period_fees(items, date(2026, 11, 1)) == Decimal("37.50")
    assert period_fees(items, december) == Decimal("47.50")
    assert shortfall(Decimal("40.00"), Decimal("47.50")) == Decimal("7.50")
    assert shortfall(Decimal("47.50"), Decimal("47.50")) is None
    assert shortfall(Decimal("-5.00"), Decimal("0.00")) is None  # nothing to pay: nothing to remind


def test_reminders_fall_on_the_right_days() -> None:
    assert first_of_next_month(date(2026, 11, 20)) == date(2026, 12, 1)
    assert first_of_next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert period_end_reminder_at(date(2026, 12, 1), 3, MINSK) == local(28, 12)
    assert promised_payment_reminder_at(local(23, 10)) == local(22, 10)


def test_a_message_records_one_outcome_and_ignores_late_ones() -> None:
    now = FakeClock(datetime(2026, 11, 20, 10, tzinfo=UTC)).now()
    message = Message("message-m-1")
    draft = MessageDraft("e-1", "PaymentRegistered", "payment_received", "payment_received", "sms", "375291234567",
                         "37529*****67", "ru", ("1015",), "u-1", False, None, "text")
    queued = message.queue(draft, now, now + timedelta(hours=1))
    assert isinstance(queued[0], MessageQueued) and queued[0].deferred and queued[0].partition_key == "1015"
    message.replay(queued)
    assert message.queue(draft, now, now) == []
    retry = message.record_failure(1, "smtp: down", final=False, next_attempt_at=now, now=now)
    assert isinstance(retry[0], MessageAttemptFailed)
    message.replay(retry)
    sent = message.record_sent(2, now)
    assert isinstance(sent[0], MessageSent) and sent[0].attempt == 2
    message.replay(sent)
    assert message.record_sent(3, now) == [] and message.record_failure(3, "x", final=True, next_attempt_at=None,
                                                                       now=now) == []
    failed = Message("message-m-2")
    failed.replay(failed.queue(draft, now, now))
    [end] = failed.record_failure(5, "sms gateway: HTTP 400", final=True, next_attempt_at=None, now=now)
    assert isinstance(end, MessageFailed) and end.attempts == 5
    lone = MessageDraft(**{**draft.__dict__, "account_ids": ()})
    assert Message("message-m-3").queue(lone, now, now)[0].partition_key == "message-m-3"


def test_settings_refuse_what_would_double_send_or_cannot_work() -> None:
    base = {"database_url": "postgresql://x", "kafka_bootstrap_servers": "k:9092", "billing_env": "dev"}
    with pytest.raises(ValueError, match="DELIVERY_RETRY_BASE_S"):
        NotificationsSettings(**base, delivery_retry_base_s=5, smtp_timeout_s=10)
    with pytest.raises(ValueError, match="SMS_GATEWAY_TOKEN"):
        NotificationsSettings(**{**base, "billing_env": "prod"}, internal_api_token="t" * 32)
    with pytest.raises(ValueError, match="SMS_GATEWAY_TOKEN"):
        NotificationsSettings(**{**base, "billing_env": "prod"}, internal_api_token="t" * 32, sms_gateway_token=" ")
    with pytest.raises(ValueError, match="unknown time zone"):
        NotificationsSettings(**base, billing_timezone="Mars/Olympus")
    dev = NotificationsSettings(**base, smtp_username="", quiet_hours_start="22:00")
    assert dev.smtp_username is None and dev.quiet_hours == QuietHours(time(22), time(9))
