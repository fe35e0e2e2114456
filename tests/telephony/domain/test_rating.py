"""Rating rules, pure: destinations, increments, time classes, bundles, the international add-on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.telephony.domain.rating import RatingPlans, RatingRefused, billed_seconds, rate, time_class
from shared.money import from_line_units, round_line

PLANS = RatingPlans.load(Path(__file__).parents[3] / "services/telephony/rating/plans.v1.json")
MINSK = ZoneInfo("Europe/Minsk")
THURSDAY_10 = datetime(2026, 11, 19, 10, 0, tzinfo=MINSK)


def sip(callee: str, duration_s: int, *, at: datetime = THURSDAY_10, bundle_left_s: int = 0,
        add_ons: frozenset[str] = frozenset(), tariff: str = "sip-connection") -> tuple[str, int, int, Decimal]:
    r = rate(PLANS, tariff, add_ons, kind="call", callee=callee, local_start=at, duration_s=duration_s,
             bundle_left_s=bundle_left_s)
    return r.usage_class, r.billed_s, r.bundle_s, r.net


def test_the_longest_prefix_names_the_destination() -> None:
    plan = PLANS.plans["sip-connection"]
    assert plan.destination("375291234567") == "on-net"      # 375291 beats 375
    assert plan.destination("375331234567") == "off-net"     # only 375 matches
    assert plan.destination("375170003004") == "on-net"
    assert plan.destination("4930123456") == "international"  # only the empty prefix
    assert plan.destination("112") == "short"


def test_increments_bill_the_first_minute_whole_then_every_second_begun() -> None:
    assert billed_seconds(0, 60, 1) == 0
    assert billed_seconds(1, 60, 1) == 60
    assert billed_seconds(61, 60, 1) == 61
    assert billed_seconds(61, 60, 60) == 120


def test_each_increment_is_rounded_once_and_the_call_costs_their_sum() -> None:
    # 0.09 a minute: the first minute 0.0900, each further second 0.0015
    assert sip("375331234567", 61) == ("off-net-out", 61, 0, Decimal("0.0915"))
    assert sip("375331234567", 30) == ("off-net-out", 60, 0, Decimal("0.0900"))
    # SIP-номер bills other networks per minute: 61 s are two minutes
    assert sip("375331234567", 61, tariff="sip-number") == ("off-net-out", 120, 0, Decimal("0.2000"))
    # on-net: «Исходящие внутри сети 00:07:00 … 0,00»
    assert sip("375291234567", 420) == ("on-net-out", 420, 0, Decimal("0.0000"))


def test_time_classes_working_hours_evenings_weekends_and_holidays() -> None:
    assert time_class(datetime(2026, 11, 19, 9, 0)) == "working"
    assert time_class(datetime(2026, 11, 19, 17, 59)) == "working"
    assert time_class(datetime(2026, 11, 19, 18, 0)) == "non_working"
    assert time_class(datetime(2026, 11, 19, 8, 59)) == "non_working"
    assert time_class(datetime(2026, 11, 21, 12, 0)) == "weekend"           # Saturday
    assert time_class(datetime(2026, 11, 6, 12, 0)) == "working"            # Friday
    assert time_class(datetime(2027, 1, 7, 12, 0)) == "weekend"             # Christmas (Orthodox), a Thursday
    assert time_class(datetime(2026, 5, 12, 12, 0), frozenset({date(2026, 5, 12)})) == "weekend"  # Radunitsa
    evening = datetime(2026, 11, 19, 20, 0, tzinfo=MINSK)
    assert sip("375331234567", 60, at=evening)[3] == Decimal("0.0600")
    assert sip("375331234567", 60, at=datetime(2026, 11, 22, 20, 0, tzinfo=MINSK))[3] == Decimal("0.0500")


def test_international_calls_need_their_add_on() -> None:
    with pytest.raises(RatingRefused) as refused:
        sip("4930123456", 60)
    assert refused.value.code == "cdr.add_on_required"
    assert sip("4930123456", 61, add_ons=frozenset({"international-calls"})) == (
        "international-out", 120, 0, Decimal("1.0000"))


def test_the_bundle_is_used_first_and_only_the_remainder_is_charged() -> None:
    assert sip("375331234567", 300, bundle_left_s=600) == ("off-net-out", 300, 300, Decimal("0"))
    # 100 s left of the bundle: 200 of 300 billed seconds charged at 0.0015 a second
    assert sip("375331234567", 300, bundle_left_s=100) == ("off-net-out", 300, 100, Decimal("0.3000"))
    # on-net calls never touch the bundle
    assert sip("375291234567", 300, bundle_left_s=600)[2] == 0
    assert PLANS.bundle_seconds(frozenset({"sip-3000-min", "voicemail-plus"})) == 180_000


def test_a_tariff_without_a_plan_is_refused() -> None:
    with pytest.raises(RatingRefused) as refused:
        sip("375331234567", 60, tariff="inet-50-1m")
    assert refused.value.code == "cdr.tariff_not_rated"


def test_sms_costs_its_class_price() -> None:
    r = rate(PLANS, "mobile-business", frozenset(), kind="sms", callee="375331234567", local_start=THURSDAY_10,
             duration_s=0, bundle_left_s=0)
    assert (r.usage_class, r.billed_s, r.net) == ("sms-off-net-out", 1, Decimal("0.0600"))


@settings(max_examples=300)
@given(per_minute=st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=6),
       first_s=st.integers(1, 120), step_s=st.integers(1, 120), duration_s=st.integers(0, 24 * 3600),
       bundle_left_s=st.integers(0, 4000))
def test_a_calls_net_in_units_is_the_decimal_formula(per_minute: Decimal, first_s: int, step_s: int,
                                                     duration_s: int, bundle_left_s: int) -> None:
    """The net is worked out in whole ten-thousandths: the same figure as the increments' rounded
    Decimal prices times their count, for any price (also one a `model_copy` of the plan changed)."""
    sip_connection = PLANS.plans["sip-connection"]
    off_net = sip_connection.classes["off-net"]
    changed = off_net.model_copy(update={"first_s": first_s, "step_s": step_s,
                                         "per_minute": {**off_net.per_minute, "working": per_minute}})
    plans = PLANS.model_copy(update={"plans": {**PLANS.plans, "sip-connection": sip_connection.model_copy(
        update={"classes": {**sip_connection.classes, "off-net": changed}})}})
    r = rate(plans, "sip-connection", frozenset(), kind="call", callee="375331234567", local_start=THURSDAY_10,
             duration_s=duration_s, bundle_left_s=bundle_left_s)
    first, step = round_line(per_minute * first_s / 60), round_line(per_minute * step_s / 60)
    billed = billed_seconds(duration_s, first_s, step_s)
    covered = min(billed, bundle_left_s) if changed.bundle else 0
    if covered:
        expected = step * -(-(billed - covered) // step_s)
    elif billed == 0:
        expected = Decimal(0)
    else:
        expected = first + step * ((billed - first_s) // step_s)
    assert (r.billed_s, r.bundle_s, r.net) == (billed, covered, expected)
    assert r.net == from_line_units(r.net_units)


def test_a_plan_copied_with_longer_prefixes_matches_them() -> None:
    plan = PLANS.plans["sip-connection"]
    assert plan.destination("375331234567") == "off-net"
    corrected = plan.model_copy(update={"destinations": {**plan.destinations, "3753312": "on-net"}})
    assert corrected.destination("375331234567") == "on-net"
    assert plan.destination("375331234567") == "off-net"
