"""Account, tariff, rename, funds and cabinet-user rules, pure (no database), with a fake clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.accounts.adapters.catalogue import load_catalogue
from services.accounts.domain.events import FinancialBlockApplied, FinancialBlockLifted, TariffChanged
from services.accounts.domain.rules import check_new_password, mask_email, mask_phone
from services.accounts.domain.user import CabinetUser, Profile
from services.accounts.domain.user_events import ProfileChanged
from services.accounts.settings import CATALOGUE
from shared.clock import FakeClock
from shared.errors import DomainError
from tests.accounts.factories import open_account

MINSK = ZoneInfo("Europe/Minsk")
CATALOG = load_catalogue(CATALOGUE)
NOW = datetime(2026, 3, 11, 9, 0, tzinfo=MINSK)


def test_the_catalogue_turns_net_prices_into_gross_fees_through_the_money_module() -> None:
    sip = CATALOG.tariff("sip-connection")
    assert sip.vat_rate == Decimal("25") and sip.monthly_fee == Decimal("66.43")  # seed 004: 53.144 net (v2)
    assert CATALOG.add_on("short-number").monthly_fee == Decimal("86.25")  # seed 004: 69.00 net (v2)
    assert CATALOG.add_on("sip-3000-min").monthly_fee == Decimal("96.26")  # seed 004: 77.008 + 19.252
    internet = CATALOG.tariff("inet-50-1m")
    assert internet.name == "Безлимитный 50 Мбит/с, 1 мес" and internet.monthly_fee == Decimal("650.00")
    assert internet.voluntary_block and (internet.voluntary_block.min_days, internet.voluntary_block.max_days) == (14, 180)
    assert CATALOG.tariff("sip-number").voluntary_block is None
    with pytest.raises(DomainError) as missing:
        CATALOG.tariff("nope")
    assert missing.value.code == "tariff.not_found"


def test_a_prepaid_account_opened_in_debt_is_financially_blocked_at_once() -> None:
    account = open_account(balance="-120.00")
    assert account.financially_blocked
    assert open_account(payment_form="postpaid", balance="-120.00").financially_blocked is False


def test_funds_below_zero_block_a_prepaid_account_and_back_at_zero_unblock_it_once() -> None:
    account = open_account(balance="10.00")
    assert account.reconcile_funds(Decimal("0.00"), NOW) == []
    [applied] = account.reconcile_funds(Decimal("-0.01"), NOW)
    assert isinstance(applied, FinancialBlockApplied) and applied.available == Decimal("-0.01")
    account.replay([applied])
    assert account.reconcile_funds(Decimal("-5.00"), NOW) == []  # already blocked: nothing twice
    [lifted] = account.reconcile_funds(Decimal("0.00"), NOW)
    assert isinstance(lifted, FinancialBlockLifted)
    account.replay([lifted])
    assert account.reconcile_funds(Decimal("3.00"), NOW) == []
    assert open_account(payment_form="postpaid").reconcile_funds(Decimal("-50.00"), NOW) == []


def test_a_postpaid_account_is_suspended_while_an_overdue_invoice_is_unpaid_and_resumed_once_paid() -> None:
    account = open_account(payment_form="postpaid")
    assert account.reconcile_funds(Decimal("-300.08"), NOW) == []  # charged, not overdue: nothing
    [suspended] = account.reconcile_funds(Decimal("-300.08"), NOW, overdue_unpaid=Decimal("300.08"))
    assert isinstance(suspended, FinancialBlockApplied) and suspended.reason == "invoice_overdue"
    account.replay([suspended])
    assert account.reconcile_funds(Decimal("-0.08"), NOW, overdue_unpaid=Decimal("0.08")) == []  # part paid
    [resumed] = account.reconcile_funds(Decimal("-60.00"), NOW, overdue_unpaid=Decimal("0"))  # this month's
    assert isinstance(resumed, FinancialBlockLifted)  # charges are not due yet: paid up, resumed
    account.replay([resumed])
    assert account.reconcile_funds(Decimal("-60.00"), NOW) == []


def test_a_tariff_change_takes_effect_next_period_or_now_where_the_tariff_allows() -> None:
    account = open_account()
    account.replay(account.add_line("inet-1", "login", "Иванов", CATALOG.tariff("inet-50-1m")))
    today = date(2026, 3, 11)
    current, target = CATALOG.tariff("inet-50-1m"), CATALOG.tariff("inet-100-1m")
    [later] = account.change_tariff("inet-1", current, target, "next_period", today)
    assert isinstance(later, TariffChanged) and later.effective_from == date(2026, 4, 1)
    assert later.monthly_fee == Decimal("850.00") and later.from_tariff_id == "inet-50-1m"
    [now] = account.change_tariff("inet-1", current, target, "now", today)
    assert isinstance(now, TariffChanged) and now.effective_from == today
    with pytest.raises(DomainError) as same:
        account.change_tariff("inet-1", current, current, "now", today)
    assert same.value.code == "tariff.same"
    with pytest.raises(DomainError) as wrong_kind:
        account.change_tariff("inet-1", current, CATALOG.tariff("mobile-business"), "now", today)
    assert wrong_kind.value.code == "tariff.wrong_kind"


def test_an_office_only_tariff_cannot_be_changed_by_the_subscriber() -> None:
    account = open_account(kind="organization")
    account.replay(account.add_line("sip-1", "375170003003", "Офис", CATALOG.tariff("sip-number")))
    with pytest.raises(DomainError) as refused:
        account.change_tariff("sip-1", CATALOG.tariff("sip-number"), CATALOG.tariff("sip-connection"), "now",
                              date(2026, 3, 11))
    assert refused.value.code == "tariff.change_not_allowed"


@pytest.mark.parametrize(("day", "allowed"), [(date(2026, 3, 29), True), (date(2026, 3, 30), False),
                                              (date(2026, 3, 31), False), (date(2026, 2, 26), True),
                                              (date(2026, 2, 27), False), (date(2026, 4, 1), True)])
def test_renames_are_refused_in_the_last_two_days_of_a_month(day: date, allowed: bool) -> None:
    account = open_account(kind="organization")
    account.replay(account.add_line("sip-1", "375170003003", "Старое имя", CATALOG.tariff("sip-number")))
    if allowed:
        [renamed] = account.rename("sip-1", "  Новое   имя ", NOW, day)
        assert renamed.subscriber_name == "Новое имя"  # type: ignore[attr-defined]
    else:
        with pytest.raises(DomainError) as refused:
            account.rename("sip-1", "Новое имя", NOW, day)
        assert refused.value.code == "rename.month_end"


def test_a_new_sms_phone_is_unconfirmed_until_its_code_is_entered() -> None:
    user = CabinetUser("user-u1")
    user.replay(user.create("subscriber", "1015", None, ["1015"], None, True, Profile(email="a@example.com")))
    user.replay(user.change_profile(Profile(email="a@example.com", sms_phone="375291234567")))
    assert user.profile.sms_phone_confirmed is False
    with pytest.raises(DomainError) as other:
        user.confirm_sms_phone("375290000000")  # the code went elsewhere
    assert other.value.code == "profile.sms_phone_changed"
    [confirmed] = user.confirm_sms_phone("375291234567")
    assert isinstance(confirmed, ProfileChanged) and confirmed.sms_phone_confirmed
    user.replay([confirmed])
    [changed] = user.change_profile(Profile(email="a@example.com", sms_phone="375297654321", sms_phone_confirmed=True))
    assert isinstance(changed, ProfileChanged) and changed.sms_phone_confirmed is False


def test_a_temporary_password_makes_the_next_login_change_it_first() -> None:
    clock = FakeClock(NOW)
    user = CabinetUser("user-u1")
    user.replay(user.create("subscriber", "1015", None, ["1015"], None, False, Profile(email="ivanov@example.com")))
    [issued] = user.issue_temporary_password(clock.now() + timedelta(hours=24))
    assert issued.email_masked == "i***v@example.com"  # type: ignore[attr-defined]
    assert user.claims(temporary=True).must_change_password and not user.claims().must_change_password


@pytest.mark.parametrize("password", ["short1", "onlyletters", "1234567890", "1015"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_new_password(password, "1015")
    assert refused.value.code == "password.too_weak"


def test_masks_show_enough_to_recognise_and_nothing_more() -> None:
    assert mask_phone("375291234567") == "375*******67"
    assert mask_email("a@b.by") == "a***@b.by"
