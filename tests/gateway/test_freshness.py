"""Answers built from read models say how fresh they are (`x-read-model-lag`, `x-read-model-age`)."""

from __future__ import annotations

import asyncio

from shared.devstack import free_port
from shared.freshness import ReadModelFreshness
from tests.eventually import eventually
from tests.gateway.factories import SUBSCRIBER, Cabinet


async def test_a_caught_up_cabinet_says_so_on_every_page(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)

    async def fresh() -> bool:
        page = await cabinet.client.get("/api/v1/accounts/1015/summary", headers=me)
        return page.headers["x-read-model-lag"] == "0" and page.headers["x-read-model-age"] == "0.0"

    await eventually(fresh)
    health = await cabinet.client.get("/health/ready")
    assert "x-read-model-lag" not in health.headers  # only pages built from read models carry it


async def test_an_unreachable_broker_shows_as_an_unknown_lag_and_a_growing_age() -> None:
    freshness = ReadModelFreshness(f"127.0.0.1:{free_port()}", {"g": ["t"]}, interval=0.2)
    freshness.record(0)
    stop = asyncio.Event()
    watching = asyncio.create_task(freshness.run(stop))
    try:
        async def stale() -> bool:
            return freshness.lag is None and freshness.age > 1.0

        await eventually(stale, timeout=15)
        assert dict(freshness.headers())[b"x-read-model-lag"] == b"unknown"
    finally:
        stop.set()
        await watching


def test_age_is_zero_while_caught_up_and_counts_from_the_last_catch_up() -> None:
    freshness = ReadModelFreshness("unused:9092", {})
    freshness.record(0)
    assert freshness.age == 0.0
    freshness.record(12)
    assert freshness.lag == 12 and freshness.age >= 0.0
    freshness.record(None)
    assert freshness.lag is None
    freshness.record(0)
    assert freshness.age == 0.0
