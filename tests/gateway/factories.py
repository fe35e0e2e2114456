"""What the gateway's tests share: the demo users, the gateway's settings for a test, serving an app
in the test's event loop, and the `Cabinet` the `cabinet` fixture (conftest.py) hands out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from litestar import Litestar

from services.accounts.adapters.network import DevNetwork
from services.accounts.adapters.tv_partners import SandboxTvPartners
from services.accounts.app import create_app as create_accounts
from services.gateway.app import create_app as create_gateway
from services.gateway.settings import GatewaySettings
from services.invoicing.app import create_app as create_invoicing
from shared.clock import FakeClock
from shared.internal_api import InternalClient
from tests.accounts.factories import RecordingCourier, accounts_settings, load_demo
from tests.conftest import KafkaSpace
from tests.invoicing.conftest import settings_for

#: Demo users (deploy/demo/requests.json): the ISP subscriber, the second subscriber (in debt),
#: the organization's admin, the operator.
SUBSCRIBER = ("1015", "demo-1015-pass")
DEBTOR = ("2002", "demo-2002-pass")
ORG_ADMIN = ("a1-3003", "demo-admin-3003")
OPERATOR = ("operator", "demo-operator-pass")


@dataclass
class Cabinet:
    client: httpx.AsyncClient
    accounts: httpx.AsyncClient
    clock: FakeClock
    courier: RecordingCourier
    database_url: str
    network: DevNetwork = field(default_factory=DevNetwork)
    tv_partners: SandboxTvPartners = field(default_factory=SandboxTvPartners)

    async def login(self, login: str, password: str) -> dict[str, str]:
        response = await self.client.post("/api/v1/auth/login", json={"login": login, "password": password})
        assert response.status_code == 200, response.text
        return {"authorization": f"Bearer {response.json()['access_token']}"}

    async def read_model(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(self.database_url)
        try:
            await conn.execute("SET search_path TO gateway")
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


def gateway_settings(database_url: str, kafka: KafkaSpace) -> GatewaySettings:
    # Other services are not running here: a request that reached them would fail, never succeed.
    elsewhere = {f"{name}_url": "http://127.0.0.1:9" for name in ("payments", "notifications", "invoicing")
                 if f"{name}_url" in GatewaySettings.model_fields}
    return GatewaySettings(
        billing_env="test", database_url=database_url, kafka_bootstrap_servers=kafka.bootstrap,
        kafka_topic_prefix=kafka.topic_prefix, internal_api_token="test-internal-token", log_format="console",
        gateway_token_secret="test-gateway-token-secret", **elsewhere,
    )


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Run `app`'s lifespan in this event loop (AsyncTestClient runs it on a thread and loop of
    its own), so that two in-process apps can call each other; a client for it."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))  # type: ignore[arg-type]
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            yield client
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task




def in_process(name: str, app: Litestar) -> InternalClient:
    """The gateway's client of another service's app in this process."""
    return InternalClient(name, f"http://{name}", "test-internal-token", transport=httpx.ASGITransport(app=app))


@contextlib.asynccontextmanager
async def with_invoicing(database_url: str, kafka: KafkaSpace,
                         clock: FakeClock) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """The accounts and invoicing services in-process behind the gateway (invoicing charging from
    accounts' events on Kafka), the demo data loaded: clients of invoicing and of the gateway."""
    accounts_app = create_accounts(accounts_settings(database_url, kafka), clock=clock, courier=RecordingCourier())
    invoicing_app = create_invoicing(settings_for(database_url, kafka), clock)
    async with serving(accounts_app) as accounts, serving(invoicing_app) as invoicing:
        gateway_app = create_gateway(gateway_settings(database_url, kafka), clock=clock,
                                     accounts=in_process("accounts", accounts_app),
                                     invoicing=in_process("invoicing", invoicing_app))
        async with serving(gateway_app) as gateway:
            await load_demo(accounts)
            yield invoicing, gateway


async def api_login(gateway: httpx.AsyncClient, credentials: tuple[str, str]) -> dict[str, str]:
    """The bearer header of `credentials` logged in through the gateway's API."""
    answer = await gateway.post("/api/v1/auth/login", json={"login": credentials[0], "password": credentials[1]})
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}
