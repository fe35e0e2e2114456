"""Voluntary block rules, pure: no database, a fake clock (seeds 000, 002; DOMAIN.md "Blocks")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.accounts.domain.account import PersonalAccount
from services.accounts.domain.events import BlockEnded, BlockScheduled, BlockStarted, BlockTerms
from services.accounts.domain.tariffs import Tariff
from shared.calendar import local_date
from shared.clock import FakeClock
from shared.errors import DomainError
from tests.accounts.factories import open_account

MINSK = ZoneInfo("Europe/Minsk")
TERMS = BlockTerms(min_days=14, max_days=180, yearly_quota=1, fee=Decimal("0.00"))
INTERNET = Tariff("inet-50-1m", "Безлимитный 50 Мбит/с, 1 мес", "internet", Decimal("650.00"), Decimal("541.6667"),
                  Decimal("20"), True, TERMS)


def an_account(clock: FakeClock, terms: BlockTerms = TERMS, opening_balance: str = "100.00") -> PersonalAccount:
    account = open_account(clock.now(), opening_balance, client_name="Иванов")
    tariff = Tariff(**{**INTERNET.__dict__, "voluntary_block": terms})
    account.replay(account.add_line("inet-1015", "0_1_15", "Иванов", tariff))
    return account


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 11, 9, 0, tzinfo=MINSK))


def today(clock: FakeClock) -> date:
    return local_date(clock.now(), MINSK)


def schedule(account: PersonalAccount, clock: FakeClock, starts_on: date, days: int, block_id: str = "b1") -> list:
    events = account.schedule_block(block_id, starts_on, days, today(clock))
    account.replay(events)
    return events


def refusal(account: PersonalAccount, clock: FakeClock, starts_on: date, days: int) -> str:
    with pytest.raises(DomainError) as refused:
        account.schedule_block("refused", starts_on, days, today(clock))
    return refused.value.code


@pytest.mark.parametrize(("days", "allowed"), [(13, False), (14, True), (180, True), (181, False)])
def test_a_block_lasts_14_to_180_days(clock: FakeClock, days: int, allowed: bool) -> None:
    account = an_account(clock)
    if allowed:
        [event] = schedule(account, clock, today(clock), days)
        assert isinstance(event, BlockScheduled)
        assert event.days == days and event.ends_on == today(clock) + timedelta(days=days - 1)
    else:
        assert refusal(account, clock, today(clock), days) == "block.period_out_of_range"


def test_the_seed_block_from_september_27th_for_14_days_resumes_on_october_11th() -> None:
    clock = FakeClock(datetime(2019, 9, 27, 8, 0, tzinfo=MINSK))
    account = an_account(clock)
    [event] = schedule(account, clock, date(2019, 9, 27), 14)
    assert event.ends_on == date(2019, 10, 10)
    assert account.blocks.blocks["b1"].resumes_on == date(2019, 10, 11)


def test_a_block_starts_today_or_later_never_yesterday(clock: FakeClock) -> None:
    account = an_account(clock)
    assert refusal(account, clock, today(clock) - timedelta(days=1), 14) == "block.starts_in_past"
    assert schedule(account, clock, today(clock), 14)


def test_today_is_the_operators_day_not_utcs() -> None:
    # 23:30 UTC on March 10th is already March 11th in Minsk: March 10th is yesterday there.
    clock = FakeClock(datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    account = an_account(clock)
    assert today(clock) == date(2026, 3, 11)
    assert refusal(account, clock, date(2026, 3, 10), 14) == "block.starts_in_past"


def test_the_yearly_quota_once_used_refuses_another_block_that_year(clock: FakeClock) -> None:
    account = an_account(clock)
    schedule(account, clock, today(clock), 14)
    assert account.blocks.available(TERMS, today(clock)) == 0
    assert refusal(account, clock, today(clock) + timedelta(days=60), 14) == "block.quota_used_up"
    # Next year's quota is a new one.
    assert schedule(account, clock, date(2027, 2, 1), 14, block_id="b2")


def test_a_cancelled_block_gives_its_quota_back(clock: FakeClock) -> None:
    account = an_account(clock)
    schedule(account, clock, today(clock) + timedelta(days=3), 14)
    account.replay(account.cancel_block("b1"))
    assert account.blocks.blocks["b1"].state == "cancelled"
    assert account.blocks.available(TERMS, today(clock)) == 1
    assert schedule(account, clock, today(clock) + timedelta(days=3), 14, block_id="b2")


def test_no_voluntary_block_while_a_financial_block_is_on(clock: FakeClock) -> None:
    account = an_account(clock, opening_balance="-10.00")
    assert account.financially_blocked
    assert refusal(account, clock, today(clock), 14) == "block.financially_blocked"


def test_blocks_may_not_overlap(clock: FakeClock) -> None:
    account = an_account(clock, BlockTerms(min_days=14, max_days=180, yearly_quota=3, fee=Decimal("0")))
    day = today(clock)
    schedule(account, clock, day + timedelta(days=20), 14)  # days 20..33
    assert refusal(account, clock, day + timedelta(days=33), 14) == "block.overlaps"  # starts on its last day
    assert refusal(account, clock, day, 21) == "block.overlaps"  # ends on its first day
    assert schedule(account, clock, day, 20, block_id="b2")  # ends the day before
    assert schedule(account, clock, day + timedelta(days=34), 14, block_id="b3")  # starts the day after


def test_a_block_can_be_cancelled_before_it_starts_but_not_after(clock: FakeClock) -> None:
    account = an_account(clock)
    schedule(account, clock, today(clock), 14)
    account.replay(account.blocks.start("1015", "b1", clock.now()))
    with pytest.raises(DomainError) as refused:
        account.cancel_block("b1")
    assert refused.value.code == "block.already_started"


def test_a_running_block_can_be_lifted_early_once(clock: FakeClock) -> None:
    account = an_account(clock)
    schedule(account, clock, today(clock), 14)
    with pytest.raises(DomainError) as not_yet:
        account.lift_block("b1", clock.now())
    assert not_yet.value.code == "block.not_active"
    account.replay(account.blocks.start("1015", "b1", clock.now()))
    clock.advance(timedelta(days=5))
    [ended] = account.lift_block("b1", clock.now())
    assert isinstance(ended, BlockEnded) and ended.early and ended.at == clock.now()
    account.replay([ended])
    with pytest.raises(DomainError):
        account.lift_block("b1", clock.now())


def test_start_and_end_fire_once_and_never_for_a_cancelled_block(clock: FakeClock) -> None:
    account = an_account(clock, BlockTerms(min_days=14, max_days=180, yearly_quota=2, fee=Decimal("0")))
    schedule(account, clock, today(clock), 14)
    started = account.blocks.start("1015", "b1", clock.now())
    assert [type(e) for e in started] == [BlockStarted]
    account.replay(started)
    assert account.blocks.start("1015", "b1", clock.now()) == []  # the timer fired twice
    ended = account.blocks.end("1015", "b1", clock.now())
    assert [type(e) for e in ended] == [BlockEnded] and not ended[0].early  # type: ignore[attr-defined]
    account.replay(ended)
    assert account.blocks.end("1015", "b1", clock.now()) == []
    schedule(account, clock, today(clock) + timedelta(days=30), 14, block_id="b2")
    account.replay(account.cancel_block("b2"))
    assert account.blocks.start("1015", "b2", clock.now()) == []
    assert account.blocks.end("1015", "b2", clock.now()) == []


def test_a_tariff_without_blocks_offers_none(clock: FakeClock) -> None:
    account = an_account(clock, BlockTerms(min_days=14, max_days=180, yearly_quota=0, fee=Decimal("0")))
    assert refusal(account, clock, today(clock), 14) == "block.not_offered"
