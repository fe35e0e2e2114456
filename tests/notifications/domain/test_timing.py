"""When messages go out, pure: quiet hours, retry backoff, the reminders' instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notifications.domain.timing import (
    QuietHours,
    RetryPolicy,
    period_end_reminder_at,
    promised_payment_reminder_at,
)
from shared.calendar import first_of_next_month
from shared.clock import FakeClock

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


def test_reminders_fall_on_the_right_days() -> None:
    assert first_of_next_month(date(2026, 11, 20)) == date(2026, 12, 1)
    assert first_of_next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert period_end_reminder_at(date(2026, 12, 1), 3, MINSK) == local(28, 12)
    assert promised_payment_reminder_at(local(23, 10)) == local(22, 10)
