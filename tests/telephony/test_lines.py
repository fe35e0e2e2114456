"""Line commands over the real schema and event store: the multichannel package (once in 7 days, two
concurrent changes give exactly one), the SIP password (to the switch, never in an event), pause."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from services.telephony.adapters.switch import DevSipSwitch
from services.telephony.application.context import Telephony
from services.telephony.application.lines import change_channels, change_sip_password, set_internet, set_paused
from services.telephony.application.queries import channels_page, internet_page, line_add_ons, sip_settings
from shared.clock import FakeClock
from shared.errors import DomainError, NotFound
from shared.eventstore import Metadata
from tests.telephony.factories import SIP_ADMIN, at, feed_facts, mobile_account, sip_organization

META = Metadata(correlation_id="test", actor="u-org-a1")
SIP = "sip-375170003003"


async def test_two_concurrent_package_changes_give_exactly_one(telephony: Telephony) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0)))
    results = await asyncio.gather(change_channels(telephony, "3003", SIP, 20, META, None),
                                   change_channels(telephony, "3003", SIP, 30, META, None), return_exceptions=True)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == "channels.change_too_soon"
    events = await telephony.pool.fetch("SELECT payload FROM events WHERE event_type = 'ChannelPackageChanged'")
    assert len(events) == 1


async def test_a_change_inside_seven_days_is_refused_and_the_page_says_when(
        telephony: Telephony, clock: FakeClock) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0)))
    await change_channels(telephony, "3003", SIP, 20, META, None)
    page = await channels_page(telephony, "3003", SIP)
    assert page["current"] == {"channels": 20, "name": "SIP-многоканальность 20", "monthly_fee": "149.14"}
    assert (page["can_change_now"], page["next_change_at"]) == (False, (clock.now() + timedelta(days=7)).isoformat())
    clock.advance(timedelta(days=3))
    with pytest.raises(DomainError) as refused:
        await change_channels(telephony, "3003", SIP, 30, META, None)
    assert refused.value.extra["next_change_at"] == page["next_change_at"]
    clock.advance(timedelta(days=4))
    await change_channels(telephony, "3003", SIP, 30, META, None)
    assert (await channels_page(telephony, "3003", SIP))["current"]["channels"] == 30
    with pytest.raises(DomainError) as not_sip:
        await change_channels(telephony, "3003", "sip-375170003004", 20, META, None)
    assert not_sip.value.code == "channels.not_sip_connection"
    with pytest.raises(NotFound):
        await change_channels(telephony, "3004", SIP, 20, META, None)  # another account's line


async def test_the_sip_password_goes_to_the_switch_and_nowhere_else(
        telephony: Telephony, switch: DevSipSwitch) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0)))
    await change_sip_password(telephony, "3003", SIP, "Secret-Pass-42", META)
    assert switch.holds(SIP_ADMIN, "Secret-Pass-42")
    stored = await telephony.pool.fetch("SELECT payload, metadata FROM events")
    assert stored and all("Secret-Pass-42" not in json.dumps([r["payload"], r["metadata"]]) for r in stored)
    settings = await sip_settings(telephony, "3003", SIP, "sip.example", "192.0.2.10")
    assert settings["auth_password"] == "********"
    assert settings["sip_user_id"] == "+375 17 0003003"
    _, generated = await change_sip_password(telephony, "3003", SIP, None, META)
    assert generated is not None and switch.holds(SIP_ADMIN, generated)


async def test_pause_and_add_ons_of_a_line(telephony: Telephony) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0)) + mobile_account(at("2026-11-01", 0)))
    await set_paused(telephony, "3004", "mob-375291003003", True, META, "k1")
    assert await telephony.pool.fetchval("SELECT paused FROM line_settings WHERE line_id = 'mob-375291003003'")
    with pytest.raises(DomainError):
        await set_paused(telephony, "3003", SIP, True, META, None)
    add_ons = (await line_add_ons(telephony, "3003", SIP))["items"]
    assert [(a["service_id"], a["status"], a["self_service"], a["valid_until"]) for a in add_ons] == [
        ("sip-3000-min", "active", False, "2026-11-30")]
    assert add_ons[0]["connected_at"] == "2026-11-01T00:00:00+03:00"


async def test_the_internet_page_shows_the_prices_and_what_is_charged_now_none_while_paused(
        telephony: Telephony) -> None:
    await feed_facts(telephony.pool, mobile_account(at("2026-11-01", 0)))
    line = "mob-375291003003"
    await set_internet(telephony, "3004", line, True, "Пакет 1500", META, "i1")
    page = await internet_page(telephony, "3004", line)
    assert (page["package"], page["monthly_fee"], page["paused"]) == ("Пакет 1500", "18.90", False)
    assert len(page["package_prices"]) == 8 and page["package_prices"][0] == {"name": "Пакет Легкий",
                                                                              "monthly_fee": "4.90"}
    await set_paused(telephony, "3004", line, True, META, "p1")
    paused = await internet_page(telephony, "3004", line)
    assert (paused["package"], paused["monthly_fee"], paused["paused"]) == ("Пакет 1500", None, True)
    events = [r["payload"] for r in await telephony.pool.fetch(
        "SELECT payload FROM events WHERE stream_id = $1 ORDER BY stream_version", f"tline-{line}")]
    assert [(e.get("monthly_fee"), e.get("paused")) for e in events] == [("18.90", False), (None, None)]
