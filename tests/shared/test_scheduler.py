"""Durable timers against a real PostgreSQL, driven by a fake clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from shared.clock import FakeClock
from shared.db import Connection, Pool
from shared.scheduler import AfterCommit, DueTimer, Scheduler, cancel_timer, cancel_timers, schedule_timer, timer_exists

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def test_a_timer_fires_once_when_its_time_comes(pool: Pool) -> None:
    clock = FakeClock(START)
    fired: list[str] = []
    scheduler = Scheduler(pool, clock)

    @scheduler.handler("promised_payment.expire")
    async def expire(conn: Connection, timer: DueTimer) -> None:
        fired.append(timer.payload["account_id"])

    async with pool.acquire() as conn:
        await schedule_timer(conn, "pp-1", "promised_payment.expire", START + timedelta(days=3), {"account_id": "1015"})
    assert await scheduler.fire_due() == 0
    clock.advance(timedelta(days=3) - timedelta(seconds=1))
    assert await scheduler.fire_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await scheduler.fire_due() == 1
    assert await scheduler.fire_due() == 0
    assert fired == ["1015"]


async def test_competing_runners_fire_each_timer_once(pool: Pool) -> None:
    clock = FakeClock(START)
    fired: list[str] = []
    runners = [Scheduler(pool, clock, batch_size=5) for _ in range(4)]
    for runner in runners:
        @runner.handler("tick")
        async def tick(conn: Connection, timer: DueTimer) -> None:
            await asyncio.sleep(0.001)
            fired.append(timer.key)

    async with pool.acquire() as conn:
        for i in range(40):
            await schedule_timer(conn, f"t{i}", "tick", START, {})
    counts = await asyncio.gather(*(r.fire_due() for r in runners))
    assert sum(counts) == 40
    assert sorted(fired) == sorted(f"t{i}" for i in range(40))


async def test_a_failing_timer_is_retried_later_and_does_not_block_others(pool: Pool) -> None:
    clock = FakeClock(START)
    calls: list[str] = []
    scheduler = Scheduler(pool, clock)

    @scheduler.handler("flaky")
    async def flaky(conn: Connection, timer: DueTimer) -> None:
        calls.append(timer.key)
        if timer.key == "bad" and timer.attempts == 0:
            raise RuntimeError("provider down")

    async with pool.acquire() as conn:
        await schedule_timer(conn, "bad", "flaky", START, {})
        await schedule_timer(conn, "good", "flaky", START, {})
    assert await scheduler.fire_due() == 1
    error = await pool.fetchval("SELECT last_error FROM timers WHERE timer_key = 'bad'")
    assert "provider down" in error
    clock.advance(timedelta(seconds=2))
    assert await scheduler.fire_due() == 1
    assert sorted(calls) == ["bad", "bad", "good"]


async def test_a_cancelled_timer_never_fires(pool: Pool) -> None:
    clock = FakeClock(START)
    scheduler = Scheduler(pool, clock)

    @scheduler.handler("block.start")
    async def start(conn: Connection, timer: DueTimer) -> None:
        raise AssertionError("cancelled timers must not fire")

    async with pool.acquire() as conn:
        await schedule_timer(conn, "b-1", "block.start", START, {})
        await cancel_timer(conn, "b-1", START)
    assert await scheduler.fire_due() == 0


async def test_a_follow_up_runs_after_the_firing_committed_and_a_failing_firing_does_not_stop_the_others(
    pool: Pool,
) -> None:
    clock = FakeClock(START)
    scheduler = Scheduler(pool, clock)
    seen: list[tuple[str, object]] = []

    @scheduler.handler("send")
    async def send(conn: Connection, timer: DueTimer) -> AfterCommit | None:
        if timer.key == "broken":
            raise RuntimeError("fails before it has anything to follow up")

        async def follow_up() -> None:
            # Another connection already sees the firing: it committed before this runs.
            seen.append((timer.key, await pool.fetchval("SELECT fired_at FROM timers WHERE timer_key = $1", timer.key)))
        return follow_up

    async with pool.acquire() as conn:
        for key in ("a", "broken", "b"):
            await schedule_timer(conn, key, "send", START, {})
    assert await scheduler.fire_due() == 2
    assert sorted(seen) == [("a", START), ("b", START)]


async def test_timers_of_a_kind_are_cancelled_by_payload_and_known_once_scheduled(pool: Pool) -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    async with pool.acquire() as conn:
        for account in ("1015", "2002"):
            await schedule_timer(conn, f"autopay:{account}", "autopay", at, {"account_id": account})
        await schedule_timer(conn, "reminder:1015", "reminder", at, {"account_id": "1015"})
        assert await timer_exists(conn, "autopay:1015") and not await timer_exists(conn, "autopay:3003")
        await cancel_timers(conn, "autopay", at, account_id="1015")
        pending = {r["timer_key"] for r in await conn.fetch("SELECT timer_key FROM timers WHERE cancelled_at IS NULL")}
    assert pending == {"autopay:2002", "reminder:1015"}
    assert await timer_exists(pool, "autopay:1015")  # a cancelled timer still counts as scheduled once
