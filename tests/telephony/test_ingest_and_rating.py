"""CDR ingestion over the real schema: idempotent by (origin, call id), dead letters with reasons,
bundles first, rated usage queued in the transaction and posted after commit, re-rating without drift."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from services.telephony.application.context import Telephony
from services.telephony.application.ingest import ingest, text_array
from services.telephony.application.posting import drain_usage
from services.telephony.application.queries import account_lines, call_detail
from services.telephony.application.rerate import rerate_period
from services.telephony.domain.rating import ClassTerms
from services.telephony.entrypoints.cdr_cli import ingest_file
from shared.clock import FakeClock
from tests.telephony.factories import (
    MOBILE,
    SIP_ADMIN,
    SIP_NUMBER,
    RecordingUsage,
    at,
    cdr,
    feed_facts,
    mobile_account,
    sip_organization,
)

OFF_NET = "375331234567"


async def usage_total(telephony: Telephony, line_id: str) -> Decimal:
    return Decimal(await telephony.pool.fetchval("SELECT coalesce(sum(net), 0) FROM usage_posts WHERE line_id = $1",
                                                 line_id))


async def test_a_cdr_seen_ten_times_is_rated_and_charged_once(telephony: Telephony, usage: RecordingUsage) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0), bundle=False))
    call = cdr("c-1", SIP_NUMBER, OFF_NET, at("2026-11-18", 10), 61)  # SIP-номер: per minute, 2 x 0.10
    first = await ingest(telephony, [call] * 5, "http")
    assert (first.accepted, first.duplicates, first.usage_lines) == (1, 4, 1)
    for _ in range(5):
        again = await ingest(telephony, [call], "kafka")
        assert (again.accepted, again.duplicates, again.usage_lines) == (0, 1, 0)
    assert await drain_usage(telephony) == 1
    assert await drain_usage(telephony) == 0
    [(account_id, body)] = usage.lines.values()
    assert account_id == "3003"
    assert (body["usage_class"], body["quantity"], body["net"], body["description"]) == (
        "off-net-out-working", "00:02:00", "0.2000", "Исходящие в другие сети")
    assert await telephony.pool.fetchval("SELECT count(*) FROM calls") == 1


async def test_malformed_cdrs_go_to_the_dead_letters_with_their_reason_and_the_rest_go_on(
        telephony: Telephony) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0)))
    good = cdr("c-ok", SIP_ADMIN, OFF_NET, at("2026-11-18", 10), 30)
    batch = ["not a cdr", {**good, "call_id": "c-bad", "duration_s": -5}, good,
             cdr("c-x", "375999999999", OFF_NET, at("2026-11-18", 10), 30),
             cdr("c-int", SIP_ADMIN, "4930123456", at("2026-11-18", 10), 30)]
    result = await ingest(telephony, batch, "http")
    assert result.accepted == 1
    assert sorted(d.code for d in result.dead_letters) == [
        "cdr.add_on_required", "cdr.duration_invalid", "cdr.not_an_object", "cdr.number_unknown"]
    stored = await telephony.pool.fetch("SELECT code, reason, source, call_id FROM cdr_dead_letters ORDER BY id")
    assert {(r["code"], r["call_id"]) for r in stored} >= {("cdr.duration_invalid", "c-bad"),
                                                           ("cdr.number_unknown", "c-x")}
    assert all(r["reason"] and r["source"] == "http" for r in stored)


async def test_the_bundle_is_used_first_and_the_card_shows_what_is_left_only_on_sip_connection(
        telephony: Telephony) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0)))
    calls = [cdr(f"c-{n}", SIP_ADMIN, OFF_NET, at("2026-11-18", 10) + timedelta(minutes=n * 10), 600)
             for n in range(3)]
    await ingest(telephony, calls, "http")
    cards = {c["identifier"]: c for c in (await account_lines(telephony, "3003"))["items"]}
    assert (cards[SIP_ADMIN]["free_minutes_left"], cards[SIP_ADMIN]["free_minutes_total"]) == (2970, 3000)
    assert "free_minutes_left" not in cards[SIP_NUMBER]  # absent, not zero, on SIP-номер
    assert cards[SIP_ADMIN]["usage_this_month"] == "0.00"
    assert await usage_total(telephony, "sip-375170003003") == Decimal("0")


async def test_the_remainder_past_the_bundle_is_charged(telephony: Telephony) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-11-01", 0)))
    await telephony.pool.execute("INSERT INTO line_months VALUES ('sip-375170003003', '2026-11-01', $1)",
                                 3000 * 60 - 100)
    await ingest(telephony, [cdr("c-1", SIP_ADMIN, OFF_NET, at("2026-11-18", 10), 300)], "http")
    row = await telephony.pool.fetchrow("SELECT billed_s, bundle_s, net FROM calls")
    assert (row["billed_s"], row["bundle_s"], row["net"]) == (300, 100, Decimal("0.3000"))  # 200 s at 0.0015


async def test_re_rating_a_period_refunds_and_charges_again_without_drift(
        telephony: Telephony, usage: RecordingUsage) -> None:
    await feed_facts(telephony.pool, mobile_account(at("2026-11-01", 0)))
    monday = at("2026-11-02", 10)  # working hours
    calls = [cdr(f"c-{n}", MOBILE, OFF_NET, monday + timedelta(minutes=10 * n), 61 + n) for n in range(10)]
    await ingest(telephony, calls[:6], "http")
    await ingest(telephony, calls[4:], "http")  # two duplicates
    before = await usage_total(telephony, "mob-375291003003")
    assert before == sum(Decimal("0.1200") + Decimal("0.0020") * (1 + n) for n in range(10))
    # the plan is corrected: other networks cost 0.0600 a minute in working hours
    plan = telephony.plans.plans["mobile-business"]
    off_net = plan.classes["off-net"].model_copy(update={"per_minute": {
        "working": Decimal("0.0600"), "non_working": Decimal("0.0800"), "weekend": Decimal("0.0800")}})
    assert isinstance(off_net, ClassTerms)
    corrected = telephony.plans.model_copy(update={"plans": {
        **telephony.plans.plans, "mobile-business": plan.model_copy(update={"classes": {**plan.classes,
                                                                                     "off-net": off_net}})}})
    fixed = dataclasses.replace(telephony, plans=corrected)
    result = await rerate_period(fixed, at("2026-11-05").date())
    assert (result.calls, result.changed) == (10, 10)
    after = await usage_total(fixed, "mob-375291003003")
    assert after == sum(Decimal("0.0600") + Decimal("0.0010") * (1 + n) for n in range(10))
    assert after == await fixed.pool.fetchval("SELECT sum(net) FROM calls WHERE direction = 'out'")
    again = await rerate_period(fixed, at("2026-11-05").date())
    assert (again.changed, again.usage_lines) == (0, 0)
    assert await usage_total(fixed, "mob-375291003003") == after
    while await drain_usage(fixed):
        pass
    assert sum(Decimal(b["net"]) for _, b in usage.lines.values()) == after  # what invoicing got adds up
    refunds = [b for _, b in usage.lines.values() if b["net"].startswith("-")]
    assert len(refunds) == 1 and all(b["description"].startswith("Перерасчёт") for b in refunds)


async def test_a_paused_number_is_not_rated(telephony: Telephony) -> None:
    await feed_facts(telephony.pool, mobile_account(at("2026-11-01", 0)))
    await telephony.pool.execute("INSERT INTO line_settings (line_id, paused) VALUES ('mob-375291003003', true)")
    result = await ingest(telephony, [cdr("c-1", MOBILE, OFF_NET, at("2026-11-18", 10), 61)], "http")
    assert [d.code for d in result.dead_letters] == ["cdr.line_paused"]
    assert await telephony.pool.fetchval("SELECT count(*) FROM usage_posts") == 0


async def test_usage_that_could_not_reach_invoicing_is_posted_later_once(
        telephony: Telephony, usage: RecordingUsage, clock: FakeClock) -> None:
    await feed_facts(telephony.pool, mobile_account(at("2026-11-01", 0)))
    await ingest(telephony, [cdr("c-1", MOBILE, OFF_NET, at("2026-11-18", 10), 61)], "http")
    usage.fail_next = 1
    assert await drain_usage(telephony) == 1
    assert usage.lines == {}
    assert await drain_usage(telephony) == 0  # waits
    clock.advance(timedelta(seconds=5))
    assert await drain_usage(telephony) == 1
    assert len(usage.lines) == 1


async def test_call_detail_shows_the_current_period_as_of_yesterday_both_directions_paged(
        telephony: Telephony) -> None:
    await feed_facts(telephony.pool, sip_organization(at("2026-10-01", 0)) + mobile_account(at("2026-10-01", 0)))
    await ingest(telephony, [
        cdr("c-1", SIP_ADMIN, MOBILE, at("2026-11-17", 10), 60),      # out for 3003, in for 3004
        cdr("c-2", OFF_NET, SIP_ADMIN, at("2026-11-18", 11), 120),    # in
        cdr("c-3", SIP_ADMIN, OFF_NET, at("2026-11-19", 10), 30),     # today: not yet shown
        cdr("c-4", SIP_ADMIN, OFF_NET, at("2026-10-19", 10), 30),     # October
    ], "http")
    page = await call_detail(telephony, "3003", "sip-375170003003", "current", "both", 1, 0)
    assert (page["total"], len(page["items"]), page["as_of"]) == (2, 1, "2026-11-18")
    assert page["items"][0]["direction"] == "in"
    out = await call_detail(telephony, "3003", "sip-375170003003", "current", "out", 10, 0)
    assert [i["callee"] for i in out["items"]] == [MOBILE]
    october = await call_detail(telephony, "3003", "sip-375170003003", "2026-10", "both", 10, 0)
    assert october["total"] == 1 and october["empty_text"] is None
    empty = await call_detail(telephony, "3003", "sip-375170003004", "current", "both", 10, 0)
    assert empty["total"] == 0
    assert empty["empty_text"] == "За выбранный период не было входящего/исходящего трафика."
    assert empty["months"] == ["current", "2026-10", "2026-09", "2026-08", "2026-07", "2026-06", "2026-05"]
    mobile = await call_detail(telephony, "3004", "mob-375291003003", "current", "in", 10, 0)
    assert mobile["total"] == 1


async def test_a_csv_file_is_ingested_once_whatever_times_it_is_run(telephony: Telephony, tmp_path: Path) -> None:
    await feed_facts(telephony.pool, mobile_account(at("2026-11-01", 0)))
    path = tmp_path / "cdrs.csv"
    path.write_text("origin,call_id,kind,caller,callee,started_at,duration_s\n"
                    f"sw-1,c-1,call,{MOBILE},{OFF_NET},2026-11-18T10:15:00+03:00,61\n"
                    f"sw-1,c-2,,{MOBILE},{OFF_NET},2026-11-18T10:20:00+03:00,abc\n"
                    f"sw-1,c-3,sms,{MOBILE},{OFF_NET},2026-11-18T10:21:00+03:00,0\n", encoding="utf-8")
    assert await ingest_file(telephony, path, 2) == {"accepted": 2, "duplicates": 0, "dead_lettered": 1}
    assert await ingest_file(telephony, path, 2) == {"accepted": 0, "duplicates": 2, "dead_lettered": 1}
    assert await telephony.pool.fetchval("SELECT count(*) FROM usage_posts") == 2  # a call and an SMS


async def test_a_list_sent_as_one_array_literal_comes_back_as_it_was(telephony: Telephony) -> None:
    values = ["sw1", "NULL", "", 'a"b', "c\\d", "e,f", "{g}", " h ", "ж"]
    assert await telephony.pool.fetchval("SELECT $1::text::text[]", text_array(values)) == values
    assert await telephony.pool.fetchval("SELECT $1::text::text[]", text_array([])) == []
    assert await telephony.pool.fetchval("SELECT $1::text::text[]", text_array(["x"])) == ["x"]
