"""The demo's calls (dev only): since the lines were loaded, charged as any; over the months before,
the lines' history: stored for the call detail of past months, never charged."""

from __future__ import annotations

from services.telephony.application.context import Telephony
from services.telephony.application.demo import load_demo_calls
from services.telephony.application.ingest import ingest
from services.telephony.application.queries import detail_months
from services.telephony.application.rerate import rerate_period
from tests.telephony.factories import (
    MOBILE,
    SIP_ADMIN,
    SIP_NUMBER,
    at,
    cdr,
    feed_facts,
    mobile_account,
    sip_organization,
)


async def test_demo_calls_fill_the_months_before_the_lines_with_uncharged_history(telephony: Telephony) -> None:
    loaded = at("2026-11-19", 0)  # the lines start the day the demo loads them (NOW: 19 November, 12:00)
    await feed_facts(telephony.pool, sip_organization(loaded) + mobile_account(loaded))
    result = await load_demo_calls(telephony, [SIP_ADMIN, SIP_NUMBER, MOBILE], 30, 4, months=6, history_count=300)
    # calls from abroad come in now and then; none goes out there, which these lines may not
    assert (result.accepted, result.dead_letters) == (330, [])
    from_abroad = await telephony.pool.fetchval("SELECT count(*) FROM calls WHERE caller = '4930123456'")
    assert from_abroad > 0
    months = await telephony.pool.fetch(
        "SELECT to_char(started_at AT TIME ZONE 'Europe/Minsk', 'YYYY-MM') AS month, count(*) AS calls,"
        " count(*) FILTER (WHERE started_at < $1) AS before_lines FROM calls GROUP BY 1 ORDER BY 1", loaded)
    by_month = {r["month"]: (r["calls"], r["before_lines"]) for r in months}
    # every month the call detail offers (the current period and the six before) has calls
    assert sorted(by_month) == sorted(m if m != "current" else "2026-11" for m in detail_months(loaded.date()))
    assert all(calls > 0 for calls, _ in by_month.values())
    # usage queued for invoicing: only the days since the lines were loaded
    assert await telephony.pool.fetchval("SELECT min(day) FROM usage_posts") >= loaded.date()
    assert await telephony.pool.fetchval("SELECT count(*) FROM usage_posts WHERE day < $1", loaded.date()) == 0
    again = await load_demo_calls(telephony, [SIP_ADMIN, SIP_NUMBER, MOBILE], 30, 4, months=6, history_count=300)
    assert (again.accepted, again.duplicates) == (0, result.accepted)
    # re-rating the month leaves the history alone: nothing is charged for the days before the lines
    await rerate_period(telephony, loaded.date())
    assert await telephony.pool.fetchval("SELECT count(*) FROM usage_posts WHERE day < $1", loaded.date()) == 0
    # history is only for days before the line was billed here
    late = await ingest(telephony, [cdr("h-late", SIP_NUMBER, "375331234567", at("2026-11-19", 10), 61)], "demo",
                        history=True)
    assert [d.code for d in late.dead_letters] == ["cdr.history_in_service"]
