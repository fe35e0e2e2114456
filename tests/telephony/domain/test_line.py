"""A line's telephony decisions, pure, with a fake clock: the 7-day package rule, internet, pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.telephony.domain.cdr import MalformedCdr, _parse_checked, parse_cdr
from services.telephony.domain.events import ChannelPackageChanged
from services.telephony.domain.line import MOBILE_INTERNET_PACKAGES, TelephonyLine
from shared.clock import FakeClock
from shared.errors import DomainError


def line_with(*events: object) -> TelephonyLine:
    line = TelephonyLine("tline-sip-1")
    line.replay(list(events))  # type: ignore[arg-type]
    return line


def test_a_package_change_inside_seven_days_is_refused_with_the_next_allowed_date() -> None:
    clock = FakeClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    line = TelephonyLine("tline-sip-1")
    first = line.change_channels("3003", "sip-1", "sip-connection", 20, clock.now())
    assert isinstance(first[0], ChannelPackageChanged)
    assert (first[0].from_channels, first[0].to_channels, first[0].monthly_fee) == (None, 20, Decimal("149.14"))
    line.replay(first)
    clock.advance(timedelta(days=6, hours=23))
    with pytest.raises(DomainError) as refused:
        line.change_channels("3003", "sip-1", "sip-connection", 30, clock.now())
    assert refused.value.code == "channels.change_too_soon"
    assert refused.value.extra["next_change_at"] == "2026-11-09T09:00:00+00:00"
    clock.advance(timedelta(hours=1))
    second = line.change_channels("3003", "sip-1", "sip-connection", 30, clock.now())
    assert isinstance(second[0], ChannelPackageChanged)
    assert (second[0].from_channels, second[0].from_monthly_fee, second[0].monthly_fee) == (
        20, Decimal("149.14"), Decimal("215.58"))


def test_packages_only_on_sip_connection_and_only_the_five_sizes() -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    with pytest.raises(DomainError) as refused:
        TelephonyLine("x").change_channels("3003", "sip-2", "sip-number", 20, now)
    assert refused.value.code == "channels.not_sip_connection"
    with pytest.raises(DomainError) as refused:
        TelephonyLine("x").change_channels("3003", "sip-1", "sip-connection", 21, now)
    assert refused.value.code == "channels.package_unknown"


def test_internet_and_pause_are_for_mobile_lines_and_change_only_when_asked_to() -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    line = TelephonyLine("x")
    assert line.set_internet("3004", "m", "mobile", True, None, now) == []
    events = line.set_internet("3004", "m", "mobile", True, "Пакет 750", now)
    assert len(events) == 1
    with pytest.raises(DomainError) as refused:
        line.set_internet("3004", "m", "mobile", True, "Пакет 9999", now)
    assert refused.value.code == "internet.package_unknown"
    with pytest.raises(DomainError):
        line.pause("3003", "s", "sip", True, now)
    line.replay(line.pause("3004", "m", "mobile", True, now))
    assert line.paused and line.pause("3004", "m", "mobile", True, now) == []


@pytest.mark.parametrize(("raw", "code"), [
    ("not a dict", "cdr.not_an_object"),
    ({"origin": "sw1", "caller": "375170003003", "callee": "375331234567", "started_at": "2026-11-02T10:00:00+03:00"},
     "cdr.field_missing"),
    ({"origin": "sw1", "call_id": "c 1", "caller": "375170003003", "callee": "375331234567",
      "started_at": "2026-11-02T10:00:00+03:00"}, "cdr.id_invalid"),
    ({"origin": "sw1", "call_id": "c1", "caller": "37517x", "callee": "375331234567",
      "started_at": "2026-11-02T10:00:00+03:00"}, "cdr.number_invalid"),
    ({"origin": "sw1", "call_id": "c1", "caller": "375170003003", "callee": "375331234567",
      "started_at": "2026-11-02T10:00:00"}, "cdr.time_invalid"),
    ({"origin": "sw1", "call_id": "c1", "caller": "375170003003", "callee": "375331234567",
      "started_at": "2026-11-02T10:00:00+03:00", "duration_s": -1}, "cdr.duration_invalid"),
    ({"origin": "sw1", "call_id": "c1", "kind": "fax", "caller": "375170003003", "callee": "375331234567",
      "started_at": "2026-11-02T10:00:00+03:00"}, "cdr.kind_invalid"),
])
def test_malformed_cdrs_are_named_by_a_stable_code(raw: object, code: str) -> None:
    with pytest.raises(MalformedCdr) as refused:
        parse_cdr(raw)
    assert refused.value.code == code


def test_a_well_formed_cdr_is_read() -> None:
    cdr = parse_cdr({"origin": "sw1", "call_id": "c1", "caller": "+375170003003", "callee": "375331234567",
                     "started_at": "2026-11-02T10:00:00+03:00", "duration_s": "61"})
    assert (cdr.caller, cdr.duration_s, cdr.kind) == ("375170003003", 61, "call")


@pytest.mark.parametrize(("field", "value", "code"), [
    ("call_id", "-starts-with-a-dash", "cdr.id_invalid"),
    ("call_id", "c" * 101, "cdr.id_invalid"),
    ("origin", "свитч1", "cdr.id_invalid"),  # letters, but not ASCII ones
    ("caller", "３７５１７０００３００３", "cdr.number_invalid"),  # digits, but not ASCII ones
    ("callee", "3", "cdr.number_invalid"),
    ("callee", "+", "cdr.number_invalid"),
    ("callee", "3" * 16, "cdr.number_invalid"),
    ("duration_s", "٣", "cdr.duration_invalid"),
    ("duration_s", True, "cdr.duration_invalid"),
    ("duration_s", 24 * 3600 + 1, "cdr.duration_invalid"),
])
def test_the_fast_checks_refuse_what_the_format_refuses(field: str, value: object, code: str) -> None:
    raw = {"origin": "sw1", "call_id": "c1", "caller": "375170003003", "callee": "375331234567",
           "started_at": "2026-11-02T10:00:00+03:00", "duration_s": 5, field: value}
    with pytest.raises(MalformedCdr) as refused:
        parse_cdr(raw)
    assert refused.value.code == code


@pytest.mark.parametrize("change", [
    {}, {"kind": "sms", "duration_s": 0}, {"caller": "+375170003003"}, {"duration_s": "61"}, {"call_id": "a.b"},
    {"started_at": "2026-11-02T07:00:00Z"}, {"started_at": "2026-11-02 10:00:00.250+03:00"}, {"callee": "102"},
    {"duration_s": 24 * 3600}, {"origin": "S" * 100},
])
def test_the_common_cdrs_quick_reading_is_the_checked_reading(change: dict[str, object]) -> None:
    raw = {"origin": "sw1", "call_id": "c1", "kind": "call", "caller": "375170003003", "callee": "375331234567",
           "started_at": "2026-11-02T10:00:00+03:00", "duration_s": 5, **change}
    cdr = parse_cdr(raw)
    assert cdr == _parse_checked(raw)
    assert type(cdr.started_at) is type(_parse_checked(raw).started_at)


def test_ids_with_separators_and_short_numbers_are_read() -> None:
    cdr = parse_cdr({"origin": "sw-1.minsk", "call_id": "a1:b_2-c", "caller": "375170003003", "callee": "+102",
                     "started_at": "2026-11-02T10:00:00+03:00", "duration_s": "7"})
    assert (cdr.origin, cdr.call_id, cdr.callee, cdr.duration_s) == ("sw-1.minsk", "a1:b_2-c", "102", 7)


def test_an_internet_package_carries_its_price_and_a_resume_the_package_to_charge_again() -> None:
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    line = TelephonyLine("tline-m")
    [chosen] = line.set_internet("3004", "m", "mobile", True, "Пакет 750", now)
    assert (chosen.monthly_fee, chosen.vat_rate, chosen.paused) == (Decimal("11.90"), Decimal("25"), False)
    line.replay([chosen, *line.pause("3004", "m", "mobile", True, now)])
    [while_paused] = line.set_internet("3004", "m", "mobile", True, "Пакет 5000 + voka", now)
    assert (while_paused.monthly_fee, while_paused.paused) == (Decimal("39.90"), True)  # charged from the resume
    line.replay([while_paused])
    [resumed] = line.pause("3004", "m", "mobile", False, now)
    assert (resumed.internet_package, resumed.internet_monthly_fee) == ("Пакет 5000 + voka", Decimal("39.90"))
    line.replay([resumed])
    [tariffs_own] = line.set_internet("3004", "m", "mobile", True, None, now)
    assert tariffs_own.monthly_fee is None  # the tariff's own internet costs nothing more
    line.replay([tariffs_own, *line.pause("3004", "m", "mobile", True, now)])
    [resumed] = line.pause("3004", "m", "mobile", False, now)
    assert (resumed.internet_package, resumed.internet_monthly_fee) == (None, None)


def test_every_one_of_the_eight_packages_has_a_price() -> None:
    assert len(MOBILE_INTERNET_PACKAGES) == 8 and all(fee > 0 for fee in MOBILE_INTERNET_PACKAGES.values())
