"""The telephony service's use cases against a real PostgreSQL schema, driven by a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import services.telephony.domain.events  # noqa: F401  (registers the events)
from services.telephony.adapters.switch import DevSipSwitch
from services.telephony.adapters.wiring import wire_telephony
from services.telephony.app import MIGRATIONS
from services.telephony.application.context import Telephony
from shared.clock import FakeClock
from shared.db import Pool
from shared.events import registry
from shared.eventstore import EventStore
from tests.conftest import migrated_pool
from tests.telephony.factories import MINSK, PLANS, RecordingUsage, at

#: The tests' business date: Thursday 19 November 2026, 12:00 in Minsk.
NOW = at("2026-11-19", 12)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def telephony_pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await migrated_pool(database_url, "telephony", MIGRATIONS)
    yield pool
    await pool.close()


@pytest.fixture
def usage() -> RecordingUsage:
    return RecordingUsage()


@pytest.fixture
def switch() -> DevSipSwitch:
    return DevSipSwitch()


@pytest.fixture
def telephony(telephony_pool: Pool, clock: FakeClock, usage: RecordingUsage, switch: DevSipSwitch) -> Telephony:
    return wire_telephony(EventStore(telephony_pool, registry, "telephony"), clock, MINSK, PLANS, usage, switch)
