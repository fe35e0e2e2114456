"""The invoicing service's use cases against a real PostgreSQL schema, driven by a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import services.invoicing.domain.events  # noqa: F401  (registers the events)
from services.invoicing.adapters.wiring import wire_invoicing
from services.invoicing.app import MIGRATIONS, create_app
from services.invoicing.application.context import Invoicing
from services.invoicing.entrypoints.timers import timer_handlers
from services.invoicing.settings import InvoicingSettings
from shared.clock import FakeClock
from shared.db import Pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.scheduler import Scheduler
from tests.conftest import KafkaSpace, migrated_pool
from tests.invoicing.factories import MINSK, RULES, at

#: The tests' business date: 20 November 2026, 09:00 in Minsk.
NOW = at("2026-11-20")
INTERNAL = {"x-internal-token": "test-internal-token"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def invoicing_pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await migrated_pool(database_url, "invoicing", MIGRATIONS)
    yield pool
    await pool.close()


@pytest.fixture
def invoicing(invoicing_pool: Pool, clock: FakeClock) -> Invoicing:
    return wire_invoicing(EventStore(invoicing_pool, registry, "invoicing"), clock, MINSK, RULES)


@pytest.fixture
def timers(invoicing: Invoicing) -> Scheduler:
    scheduler = Scheduler(invoicing.pool, invoicing.clock)
    for kind, handler in timer_handlers(lambda: invoicing).items():
        scheduler.handler(kind)(handler)
    return scheduler


async def stream(pool: Pool, account_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows = await pool.fetch("SELECT event_type, payload FROM events WHERE stream_id = $1 ORDER BY stream_version",
                            f"charges-{account_id}")
    return [(r["event_type"], r["payload"]) for r in rows]


def settings_for(database_url: str, kafka: KafkaSpace, **extra: Any) -> InvoicingSettings:
    return InvoicingSettings(billing_env="test", database_url=database_url, kafka_bootstrap_servers=kafka.bootstrap,
                             kafka_topic_prefix=kafka.topic_prefix, internal_api_token="test-internal-token",
                             log_format="json", **extra)


def app_client_for(database_url: str, kafka: KafkaSpace, clock: FakeClock) -> AsyncTestClient[Any]:
    """The invoicing service as it runs: its consumer of accounts' events, relay, timers and workers."""
    return AsyncTestClient(create_app(settings_for(database_url, kafka), clock))


@pytest.fixture
async def app_client(database_url: str, kafka: KafkaSpace, clock: FakeClock) -> AsyncIterator[AsyncTestClient[Any]]:
    async with app_client_for(database_url, kafka, clock) as client:
        yield client
