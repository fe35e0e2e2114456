"""The payments service's use cases against a real PostgreSQL schema, driven by a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

import services.payments.domain.events  # noqa: F401  (registers the events)
from services.payments.adapters.providers import build_providers
from services.payments.app import create_app, wire_payments
from services.payments.application.context import Payments
from services.payments.entrypoints.timers import timer_handlers
from services.payments.settings import PaymentsSettings
from shared.clock import FakeClock
from shared.db import Pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.scheduler import Scheduler
from tests.conftest import KafkaSpace, migrated_pool
from tests.payments.factories import MINSK, NOW, OPENED, feed_facts, opened_account

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "payments" / "migrations"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def payments_pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await migrated_pool(database_url, "payments", MIGRATIONS)
    yield pool
    await pool.close()


@pytest.fixture
def payments(payments_pool: Pool, clock: FakeClock) -> Payments:
    settings = PaymentsSettings(billing_env="test", database_url="unused", kafka_bootstrap_servers="unused")
    providers = build_providers(settings, lambda: payments_pool, clock)
    return wire_payments(EventStore(payments_pool, registry), clock, MINSK, providers)


@pytest.fixture
async def account_1015(payments_pool: Pool) -> str:
    """Account 1015 as the accounts service told the payments service of it (its projection of
    account facts): money is taken only for an account it knows. Ask for it before `app_client`."""
    await feed_facts(payments_pool, opened_account("1015", OPENED))
    return "1015"


def timer_runner(payments: Payments) -> Scheduler:
    """The service's own timer handlers on a scheduler driven by the payments' (fake) clock."""
    scheduler = Scheduler(payments.pool, payments.clock)
    for kind, handler in timer_handlers(lambda: payments).items():
        scheduler.handler(kind)(handler)
    return scheduler


@pytest.fixture
def timers(payments: Payments) -> Scheduler:
    return timer_runner(payments)


async def event_types(pool: Pool, account_id: str = "1015") -> list[str]:
    rows = await pool.fetch(
        "SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version", f"payment-account-{account_id}"
    )
    return [r["event_type"] for r in rows]


async def payloads(pool: Pool, event_type: str, account_id: str = "1015") -> list[dict]:
    rows = await pool.fetch(
        "SELECT payload FROM events WHERE stream_id = $1 AND event_type = $2 ORDER BY stream_version",
        f"payment-account-{account_id}", event_type,
    )
    return [r["payload"] for r in rows]


@pytest.fixture
async def app_client(database_url: str, kafka: KafkaSpace, clock: FakeClock) -> AsyncIterator[AsyncTestClient[Any]]:
    """The payments service as it runs (its Kafka consumer of accounts' events included)."""
    settings = PaymentsSettings(
        billing_env="test", database_url=database_url, kafka_bootstrap_servers=kafka.bootstrap,
        kafka_topic_prefix=kafka.topic_prefix, internal_api_token="test-internal-token", log_format="json",
    )
    async with AsyncTestClient(create_app(settings, clock)) as client:
        yield client
