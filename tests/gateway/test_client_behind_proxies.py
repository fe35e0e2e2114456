"""Behind an Ingress every request comes from the proxy: the per-address login bucket must be the
subscriber's, read from `X-Forwarded-For` only when the peer is a trusted proxy (TRUSTED_PROXIES)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from litestar import Litestar

from services.accounts.app import create_app as create_accounts
from services.gateway.app import create_app as create_gateway
from shared.clock import FakeClock
from shared.internal_api import InternalClient
from tests.accounts.factories import START, RecordingCourier, accounts_settings
from tests.conftest import KafkaSpace
from tests.gateway.factories import gateway_settings, serving

INGRESS = "10.0.0.0/24"


@pytest.fixture
async def gateway(database_url: str, kafka: KafkaSpace) -> AsyncIterator[Litestar]:
    """The gateway trusting the Ingress controller's range, 2 login attempts per address."""
    clock = FakeClock(START)
    accounts_app = create_accounts(accounts_settings(database_url, kafka), clock=clock,
                                   courier=RecordingCourier())
    async with serving(accounts_app):
        accounts = InternalClient("accounts", "http://accounts", "test-internal-token",
                                  transport=httpx.ASGITransport(app=accounts_app))
        settings = gateway_settings(database_url, kafka).model_copy(
            update={"trusted_proxies": INGRESS, "login_attempts_per_address": 2})
        app = create_gateway(settings, clock=clock, accounts=accounts)
        async with serving(app):
            yield app


async def _logins(app: Litestar, peer: str, attempts: list[tuple[str, str]]) -> list[int]:
    """Wrong-password logins from `peer`, each (login, X-Forwarded-For); their statuses."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        statuses = []
        for login, forwarded_for in attempts:
            answer = await client.post("/api/v1/auth/login", json={"login": login, "password": "wrong"},
                                       headers={"x-forwarded-for": forwarded_for})
            statuses.append(answer.status_code)
        return statuses


async def _address_buckets(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT bucket, attempts FROM gateway.rate_limit_windows"
                                " WHERE bucket LIKE 'address:%'")
    finally:
        await conn.close()
    return {r["bucket"]: r["attempts"] for r in rows}


async def test_an_untrusted_peer_cannot_pick_its_bucket_by_a_forged_header(
    gateway: Litestar, database_url: str
) -> None:
    forged = [("u-1", "198.51.100.1"), ("u-2", "198.51.100.2"), ("u-3", "198.51.100.3")]
    assert await _logins(gateway, "203.0.113.50", forged) == [401, 401, 429]
    assert await _address_buckets(database_url) == {"address:203.0.113.50": 3}


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(
    gateway: Litestar, database_url: str
) -> None:
    first = [("u-1", "198.51.100.10"), ("u-2", "198.51.100.10"), ("u-3", "198.51.100.10")]
    assert await _logins(gateway, "10.0.0.5", first) == [401, 401, 429]
    # What the client wrote on the left is ignored: the right-most address not a proxy counts,
    # here behind a second proxy hop of the Ingress's own range.
    second = [("u-4", "1.2.3.4, 198.51.100.11, 10.0.0.7")]
    assert await _logins(gateway, "10.0.0.5", second) == [401]
    assert await _address_buckets(database_url) == {"address:198.51.100.10": 3, "address:198.51.100.11": 1}
