"""Charges posted from accounts' facts and the day timer, on a real PostgreSQL: once per charge,
whatever is delivered or run twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from services.invoicing.application.bill_run import run_bill_run_batch
from services.invoicing.application.context import Invoicing
from services.invoicing.application.days import begin_day, ensure_day_timer
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.domain.rules import TariffRule
from shared.clock import FakeClock
from shared.scheduler import Scheduler
from tests.invoicing.conftest import stream
from tests.invoicing.factories import account_event, at, feed_facts, opened_isp_account, rules_with


async def test_facts_queue_the_account_and_the_worker_posts_its_month_and_the_next_forecast(
        invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    assert await drain_posting_queue(invoicing) == 1
    events = await stream(invoicing.pool, "1015")
    assert [t for t, _ in events] == ["ChargePosted", "FeesForecast", "FeesForecast"]
    charge, this_month, forecast = events[0][1], events[1][1], events[2][1]
    assert (charge["period"], charge["item"], charge["from_day"], charge["to_day"], charge["total"]) == (
        "2026-11-01", "line:inet-1015", "2026-11-01", "2026-11-30", "650.0000")
    assert (this_month["period"], this_month["amount"]) == ("2026-11-01", "650.00")
    assert (forecast["period"], forecast["amount"]) == ("2026-12-01", "650.00")
    assert await drain_posting_queue(invoicing) == 0


async def test_a_redelivered_fact_or_a_requeued_account_posts_nothing_new(invoicing: Invoicing) -> None:
    facts = opened_isp_account("1015", at("2026-11-01", 0))
    await feed_facts(invoicing.pool, facts)
    await drain_posting_queue(invoicing)
    assert await feed_facts(invoicing.pool, facts) == 0  # the projection skips what it applied
    async with invoicing.pool.acquire() as conn:
        await invoicing.queue.add(conn, "1015", invoicing.clock.now(), None)
    assert await drain_posting_queue(invoicing) == 1
    assert len(await stream(invoicing.pool, "1015")) == 3


async def test_an_add_on_connected_mid_month_is_charged_for_its_days_when_the_fact_arrives(
        invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, [
        *opened_isp_account("1015", at("2026-11-01", 0)),
        account_event("AddOnConnected", "1015", 3, at("2026-11-20"), line_id="inet-1015", service_id="static-ip",
                      name="Статический IP-адрес", monthly_fee="150.00", on="2026-11-21")])
    await drain_posting_queue(invoicing)
    charges = [p for t, p in await stream(invoicing.pool, "1015") if t == "ChargePosted"]
    assert [(c["item"], c["description"], c["net"]) for c in charges] == [
        ("add-on:inet-1015:static-ip", "Статический IP-адрес 10", "41.6667"),
        ("line:inet-1015", "План Безлимитный 50 Мбит/с, 1 мес", "541.6667")]
    forecasts = [(p["period"], p["amount"]) for t, p in await stream(invoicing.pool, "1015") if t == "FeesForecast"]
    assert forecasts == [("2026-11-01", "700.00"), ("2026-12-01", "800.00")]  # 650.00 + 10/30 of 150.00


async def test_the_day_timer_posts_the_new_period_and_starts_the_bill_run_of_the_last(
        invoicing: Invoicing, timers: Scheduler, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    await drain_posting_queue(invoicing)
    await ensure_day_timer(invoicing)
    clock.set(at("2026-12-01", 0) + timedelta(minutes=5))
    for _ in range(15):  # one day per firing: 20 November up to 1 December
        await timers.fire_due()
    await drain_posting_queue(invoicing)
    periods = [(p["period"], p["total"]) for t, p in await stream(invoicing.pool, "1015") if t == "ChargePosted"]
    assert periods == [("2026-11-01", "650.0000"), ("2026-12-01", "650.0000")]
    run = await invoicing.pool.fetchrow("SELECT accounts_total, finished_at FROM bill_runs WHERE period = '2026-11-01'")
    assert run is not None and run["accounts_total"] == 1
    assert await run_bill_run_batch(invoicing) is None  # an hour's grace for facts still on their way
    clock.set(at("2026-12-01", 1))
    finished = await run_bill_run_batch(invoicing)
    assert finished is not None and finished.issued == 1 and finished.finished_at is not None
    assert Decimal(await invoicing.pool.fetchval("SELECT sum(total) FROM charge_lines")) == Decimal("1300.0000")


async def test_a_long_stream_is_loaded_from_its_snapshot_and_posts_as_before(
        invoicing: Invoicing, clock: FakeClock) -> None:
    daily = replace(invoicing, rules=rules_with(**{"inet-50-1m": TariffRule(accrual="daily")}))
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-09-01", 0)))
    clock.set(at("2026-09-01", 0))
    for _ in range(100):  # a line and a forecast on the first day, then a line a day
        async with invoicing.pool.acquire() as conn:
            await invoicing.queue.add(conn, "1015", clock.now(), None)
        await drain_posting_queue(daily)
        clock.advance(timedelta(days=1))
    # 1 September to 9 December: 100 lines and 5 forecasts (September's, then each next month's);
    # the snapshot taken on crossing 100 events is what the last days were decided on
    assert 100 <= await invoicing.pool.fetchval(
        "SELECT stream_version FROM snapshots WHERE stream_id = 'charges-1015'") < 105
    totals = await invoicing.pool.fetch(
        "SELECT period, sum(total) AS total FROM charge_lines GROUP BY period ORDER BY period")
    assert [(r["period"].month, r["total"]) for r in totals] == [
        (9, Decimal("650.0000")), (10, Decimal("650.0000")), (11, Decimal("650.0000")),
        (12, Decimal("188.7097"))]  # 9 of 31 December days: 157.2581 net + 31.4516 VAT
    assert len(await stream(invoicing.pool, "1015")) == 105


async def test_an_account_that_cannot_be_posted_waits_and_never_holds_the_others_back(
        invoicing: Invoicing, clock: FakeClock) -> None:
    for account_id in ("1015", "2002"):
        await feed_facts(invoicing.pool, opened_isp_account(account_id, at("2026-11-01", 0)))
    good_plan = await invoicing.pool.fetchval("SELECT plan FROM account_plans WHERE account_id = '1015'")
    await invoicing.pool.execute("UPDATE account_plans SET plan = '{\"broken\": true}' WHERE account_id = '1015'")
    assert await drain_posting_queue(invoicing) == 1
    assert [t for t, _ in await stream(invoicing.pool, "2002")] == ["ChargePosted", "FeesForecast", "FeesForecast"]
    waiting = await invoicing.pool.fetchrow("SELECT failures, not_before FROM posting_queue WHERE account_id = '1015'")
    assert waiting["failures"] == 1 and waiting["not_before"] == clock.now() + timedelta(seconds=2)
    assert await drain_posting_queue(invoicing) == 0  # not before its back-off
    await invoicing.pool.execute("UPDATE account_plans SET plan = $1 WHERE account_id = '1015'", good_plan)
    clock.advance(timedelta(seconds=2))
    assert await drain_posting_queue(invoicing) == 1
    assert [t for t, _ in await stream(invoicing.pool, "1015")] == ["ChargePosted", "FeesForecast", "FeesForecast"]


async def test_a_day_queues_daily_accruals_and_blocks_starting_and_the_first_queues_everyone(
        invoicing: Invoicing) -> None:
    opened = at("2026-11-01", 0)
    mobile = [*opened_isp_account("3004", opened)[:1], account_event(
        "ServiceLineAdded", "3004", 2, opened, line_id="mob-1", kind="mobile", identifier="375291003003",
        subscriber_name="Петров П. П.", tariff_id="mobile-business", tariff_name="Бизнес Безлимит",
        monthly_fee="29.90", vat_rate="25", voluntary_block=None)]
    blocked = [*opened_isp_account("2002", opened), account_event(
        "BlockScheduled", "2002", 3, at("2026-11-10"), block_id="b-1", starts_on="2026-11-21",
        ends_on="2026-12-04", days=14, fee="0.00")]
    await feed_facts(invoicing.pool, [*opened_isp_account("1015", opened), *mobile, *blocked])
    await drain_posting_queue(invoicing)

    async def queued_by(day: str) -> list[str]:
        async with invoicing.pool.acquire() as conn, conn.transaction():
            await begin_day(invoicing, conn, date.fromisoformat(day))
        rows = await invoicing.pool.fetch("DELETE FROM posting_queue RETURNING account_id")
        return sorted(r["account_id"] for r in rows)

    assert await queued_by("2026-11-20") == ["3004"]
    assert await queued_by("2026-11-21") == ["2002", "3004"]
    assert await queued_by("2026-12-01") == ["1015", "2002", "3004"]
