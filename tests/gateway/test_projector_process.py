"""The gateway with its read models' consumers in another runtime (GATEWAY_PROJECTIONS=own_process,
as the Procfile runs `python -m services.gateway.projector` beside it): the HTTP app consumes
nothing itself, yet a command's answer still waits for its read model (read-your-writes), the next
read shows it, and every answer still carries the freshness headers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.accounts.app import create_app as create_accounts
from services.gateway.app import create_app as create_gateway
from services.gateway.app import gateway_runtime
from shared.clock import FakeClock
from shared.freshness import AGE_HEADER, LAG_HEADER
from shared.internal_api import InternalClient
from shared.service import ServiceRuntime
from tests.accounts.factories import START, RecordingCourier, accounts_settings, load_demo
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.gateway.conftest import OPENING_BALANCES
from tests.gateway.factories import SUBSCRIBER, Cabinet, gateway_settings, serving


@pytest.fixture
async def split(database_url: str, kafka: KafkaSpace) -> AsyncIterator[tuple[Cabinet, ServiceRuntime]]:
    clock = FakeClock(START)
    courier = RecordingCourier()
    accounts_app = create_accounts(accounts_settings(database_url, kafka), clock=clock, courier=courier)
    settings = gateway_settings(database_url, kafka).model_copy(update={"gateway_projections": "own_process"})
    projector = gateway_runtime(settings, clock, consume=True)
    async with serving(accounts_app) as accounts:
        client = InternalClient("accounts", "http://accounts", "test-internal-token",
                                transport=httpx.ASGITransport(app=accounts_app))
        gateway = create_gateway(settings, clock=clock, accounts=client)
        async with serving(gateway) as gateway_client:
            await projector.start()
            try:
                await load_demo(accounts, OPENING_BALANCES)
                found = Cabinet(gateway_client, accounts, clock, courier, database_url)

                async def demo_in_read_model() -> bool:
                    return bool(await found.read_model("SELECT count(*) FROM cabinet_lines") == 7)

                await eventually(demo_in_read_model)
                yield found, gateway.state["wiring"].runtime
            finally:
                await projector.stop()


async def test_the_http_app_consumes_nothing_and_still_reads_its_writes(split: tuple[Cabinet, ServiceRuntime]) -> None:
    cabinet, http_runtime = split
    assert http_runtime.broker is None  # no consumer in the HTTP app
    me = await cabinet.login(*SUBSCRIBER)
    block = await cabinet.client.post("/api/v1/accounts/1015/blocks", json={"starts_on": "2026-03-20", "days": 14},
                                      headers={**me, "idempotency-key": "split-1"})
    assert block.status_code == 201, block.text
    assert block.json()["read_model_current"] is True
    page = await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)
    assert [b["block_id"] for b in page.json()["scheduled"]] == [block.json()["block_id"]]
    summary = await cabinet.client.get("/api/v1/accounts/1015/summary", headers=me)
    assert summary.status_code == 200 and summary.json()["blocks"]["available"] == 0
    assert LAG_HEADER in summary.headers and AGE_HEADER in summary.headers
