"""Self-service add-on rules, pure: what the line's tariff lists, out of a financial block, once;
and service password rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.accounts.adapters.catalogue import load_catalogue
from services.accounts.domain.account import PersonalAccount
from services.accounts.domain.events import AddOnConnected, AddOnDisconnected
from services.accounts.domain.tariffs import TariffCatalogue
from services.accounts.settings import CATALOGUE
from shared.errors import DomainError
from tests.accounts.factories import open_account

CATALOG = load_catalogue(CATALOGUE)
TODAY = date(2026, 3, 11)
NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


def _account(tariff_id: str, kind_line: str = "l1", balance: str = "0.00") -> PersonalAccount:
    account = open_account(balance=balance)
    account.replay(account.add_line(kind_line, "375290000000", "Иванов", CATALOG.tariff(tariff_id)))
    return account


def _refusal(call: Any) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def test_a_subscriber_connects_and_disconnects_an_add_on_the_tariff_lists_with_its_fee() -> None:
    account, tariff, static_ip = _account("inet-50-1m"), CATALOG.tariff("inet-50-1m"), CATALOG.add_on("static-ip")
    [connected] = account.connect_add_on_by_subscriber("l1", tariff, static_ip, TODAY)
    assert isinstance(connected, AddOnConnected) and connected.monthly_fee == Decimal("150.00")
    assert connected.on == TODAY
    account.replay([connected])
    assert _refusal(lambda: account.connect_add_on_by_subscriber("l1", tariff, static_ip, TODAY)) == (
        "add_on.already_connected")
    [disconnected] = account.disconnect_add_on_by_subscriber("l1", tariff, static_ip, TODAY)
    assert isinstance(disconnected, AddOnDisconnected)
    account.replay([disconnected])
    assert _refusal(lambda: account.disconnect_add_on_by_subscriber("l1", tariff, static_ip, TODAY)) == (
        "add_on.not_connected")


def test_an_add_on_the_tariff_does_not_list_is_only_for_the_office() -> None:
    account, tariff = _account("sip-number"), CATALOG.tariff("sip-number")
    short = CATALOG.add_on("short-number")
    assert _refusal(lambda: account.connect_add_on_by_subscriber("l1", tariff, short, TODAY)) == (
        "add_on.not_self_service")
    assert account.connect_add_on("l1", short, TODAY)  # the office still can
    account.replay(account.connect_add_on("l1", short, TODAY))
    assert _refusal(lambda: account.disconnect_add_on_by_subscriber("l1", tariff, short, TODAY)) == (
        "add_on.not_self_service")


def test_an_add_on_of_another_kind_of_line_is_refused() -> None:
    account, tariff = _account("inet-50-1m"), CATALOG.tariff("inet-50-1m")
    assert _refusal(lambda: account.connect_add_on_by_subscriber(
        "l1", tariff, CATALOG.add_on("voicemail-plus"), TODAY)) == "add_on.not_for_line"


def test_a_financially_blocked_account_connects_nothing_but_may_disconnect() -> None:
    account, tariff = _account("mobile-business", balance="-5.00"), CATALOG.tariff("mobile-business")
    assert account.financially_blocked
    internet = CATALOG.add_on("mobile-internet-750")
    assert _refusal(lambda: account.connect_add_on_by_subscriber("l1", tariff, internet, TODAY)) == (
        "add_on.financially_blocked")
    account.replay(account.connect_add_on("l1", internet, TODAY))
    assert account.disconnect_add_on_by_subscriber("l1", tariff, internet, TODAY)


def test_a_catalogue_listing_an_unknown_or_foreign_self_service_add_on_is_refused() -> None:
    data: dict[str, Any] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    data["tariffs"][0]["self_service_add_ons"] = ["voicemail-plus"]  # a mobile/SIP add-on on an internet tariff
    with pytest.raises(ValueError, match="self-service add-on"):
        TariffCatalogue.from_dict(data)


# -- service passwords (internet PPPoE login, TV account) ---------------------------------------------------
@pytest.mark.parametrize("password", ["Sh0rt!", "Пароль12345", "with space 123", "abcdefghij", "1234567890",
                                      "a1a1a1a1a1", "x375290000000y1", "A" * 60 + "1" * 5])
def test_a_weak_service_password_is_refused(password: str) -> None:
    account = _account("inet-50-1m")
    assert _refusal(lambda: account.change_service_password("l1", password, NOW)) == "service_password.too_weak"


def test_a_strong_service_password_is_a_fact_without_the_password() -> None:
    account = _account("inet-50-1m")
    [changed] = account.change_service_password("l1", "Kv8#trLm2q", NOW)
    assert changed.model_dump(mode="json") == {"account_id": "1015", "line_id": "l1", "kind": "internet",
                                               "at": NOW.isoformat().replace("+00:00", "Z")}
    assert "Kv8#trLm2q" not in str(changed.to_payload())


def test_a_mobile_line_has_no_service_password() -> None:
    account = _account("mobile-business")
    assert _refusal(lambda: account.change_service_password("l1", "Kv8#trLm2q", NOW)) == (
        "service_password.not_for_line")


# -- TV partner subscriptions -------------------------------------------------------------------------------
def test_a_tv_package_is_an_add_on_with_its_fee_and_the_partners_activation() -> None:
    account, tariff = _account("tv-partner"), CATALOG.tariff("tv-partner")
    package = CATALOG.add_on("smotreshka-start")
    connected, activated = account.activate_tv_subscription("l1", tariff, package, NOW, TODAY)
    assert isinstance(connected, AddOnConnected) and connected.monthly_fee == Decimal("199.00")
    assert (activated.partner, activated.partner_package, activated.partner_account) == (  # type: ignore[attr-defined]
        "smotreshka", "start", "1015-375290000000")
    account.replay([connected, activated])
    assert _refusal(lambda: account.activate_tv_subscription("l1", tariff, package, NOW, TODAY)) == (
        "add_on.already_connected")
    assert len(account.end_tv_subscription("l1", tariff, package, NOW, TODAY)) == 2


def test_only_a_partners_package_on_a_tv_line_is_a_tv_subscription() -> None:
    account, tariff = _account("tv-partner"), CATALOG.tariff("tv-partner")
    assert _refusal(lambda: account.activate_tv_subscription(
        "l1", tariff, CATALOG.add_on("static-ip"), NOW, TODAY)) == "tv.not_a_partner_package"
    internet = _account("inet-50-1m")
    assert _refusal(lambda: internet.activate_tv_subscription(
        "l1", CATALOG.tariff("inet-50-1m"), CATALOG.add_on("24tv-base"), NOW, TODAY)) == "add_on.not_for_line"


def test_a_catalogue_package_of_an_unknown_partner_is_refused() -> None:
    data: dict[str, Any] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    data["add_ons"][-1]["partner"] = "netflix"
    with pytest.raises(ValueError, match="partner"):
        TariffCatalogue.from_dict(data)
