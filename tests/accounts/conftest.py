"""The accounts service in-process against a real PostgreSQL and the session's Kafka broker, with
a fake clock and a courier that keeps what it was given (builders: tests/accounts/factories.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from services.accounts.app import create_app
from shared.clock import FakeClock
from tests.accounts.factories import START, AccountsApp, RecordingCourier, accounts_settings
from tests.conftest import KafkaSpace


@pytest.fixture
async def accounts(database_url: str, kafka: KafkaSpace) -> AsyncIterator[AccountsApp]:
    clock = FakeClock(START)
    courier = RecordingCourier()
    app = create_app(accounts_settings(database_url, kafka), clock=clock, courier=courier)
    async with AsyncTestClient(app) as client:
        yield AccountsApp(app, client, clock, courier)
