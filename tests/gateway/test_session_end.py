"""A session that ends takes its access tokens with it at once (issue 10, item 6): after logout, a
reused refresh token or a password change, the very next request with an access token of that
session answers 401 `auth.session_ended`, on every route and on every worker (two gateway apps on
one database here, as two granian workers are), instead of working until the token expires."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from services.gateway.app import create_app as create_gateway
from shared.internal_api import InternalClient
from tests.conftest import KafkaSpace
from tests.gateway.factories import SUBSCRIBER, Cabinet, gateway_settings, serving

#: The routes an ended session is refused on: the pages answered by one read (the session check
#: folded into it), the rest through the `session` dependency.
ROUTES = [
    "/api/v1/accounts/1015/summary",
    "/api/v1/accounts/1015/balance",
    "/api/v1/accounts/1015/payments",
    "/api/v1/accounts/1015/blocks",
    "/api/v1/accounts",
    "/api/v1/auth/me",
    "/api/v1/profile",
]


@pytest.fixture
async def other_worker(cabinet: Cabinet, database_url: str, kafka: KafkaSpace) -> AsyncIterator[httpx.AsyncClient]:
    """A second gateway app on the same database and topics: what a second granian worker is."""
    accounts_app = cabinet.accounts._transport.app  # type: ignore[attr-defined]
    client = InternalClient("accounts", "http://accounts", "test-internal-token",
                            transport=httpx.ASGITransport(app=accounts_app))
    gateway = create_gateway(gateway_settings(database_url, kafka), clock=cabinet.clock, accounts=client)
    async with serving(gateway) as other:
        yield other


async def _login(client: httpx.AsyncClient, password: str = SUBSCRIBER[1]) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/login", json={"login": SUBSCRIBER[0], "password": password})
    assert answer.status_code == 200, answer.text
    tokens: dict[str, str] = answer.json()
    return tokens


def _bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"authorization": f"Bearer {tokens['access_token']}"}


async def _refused_everywhere(clients: list[httpx.AsyncClient], tokens: dict[str, str]) -> list[tuple[str, int, str]]:
    """The routes that did not answer 401 `auth.session_ended` to the token (empty when all did)."""
    wrong = []
    for client in clients:
        for route in ROUTES:
            answer = await client.get(route, headers=_bearer(tokens))
            code = answer.json().get("code", "") if answer.status_code >= 400 else ""
            if answer.status_code != 401 or code != "auth.session_ended":
                wrong.append((route, answer.status_code, code))
    return wrong


async def _served_everywhere(clients: list[httpx.AsyncClient], tokens: dict[str, str]) -> list[tuple[str, int]]:
    return [(route, answer.status_code) for client in clients for route in ROUTES
            if (answer := await client.get(route, headers=_bearer(tokens))).status_code != 200]


async def test_logout_ends_the_access_token_at_the_next_request_on_every_worker(
    cabinet: Cabinet, other_worker: httpx.AsyncClient,
) -> None:
    workers = [cabinet.client, other_worker]
    tokens = await _login(cabinet.client)
    kept = await _login(other_worker)  # another session of the same user
    assert await _served_everywhere(workers, tokens) == []

    logout = await cabinet.client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert logout.status_code == 204
    # The other worker first: it learns of the logout from the database, not from its own memory.
    assert await _refused_everywhere([other_worker, cabinet.client], tokens) == []
    answer = await other_worker.get("/api/v1/accounts/1015/summary", headers=_bearer(tokens))
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["type"] == "urn:billing:problem:auth.session_ended"
    # The user's other session is not touched.
    assert await _served_everywhere(workers, kept) == []


async def test_a_reused_refresh_token_ends_the_thiefs_and_the_victims_access_tokens(
    cabinet: Cabinet, other_worker: httpx.AsyncClient,
) -> None:
    stolen = await _login(cabinet.client)
    rotated = await cabinet.client.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    victim = rotated.json()
    assert await _served_everywhere([cabinet.client, other_worker], victim) == []

    reused = await other_worker.post("/api/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["code"] == "auth.refresh_reused"
    for tokens in (victim, stolen):
        assert await _refused_everywhere([cabinet.client, other_worker], tokens) == []


async def test_a_password_change_ends_every_earlier_session_but_not_the_new_one(cabinet: Cabinet) -> None:
    first, second = await _login(cabinet.client), await _login(cabinet.client)
    changed = await cabinet.client.post("/api/v1/auth/password", headers=_bearer(first), json={
        "current_password": SUBSCRIBER[1], "new_password": "a-new-pass-1015"})
    assert changed.status_code == 200, changed.text
    for tokens in (first, second):
        assert await _refused_everywhere([cabinet.client], tokens) == []
    assert await _served_everywhere([cabinet.client], changed.json()) == []


async def test_an_ended_session_is_remembered_only_while_its_access_tokens_could_live(cabinet: Cabinet) -> None:
    old, recent = await _login(cabinet.client), await _login(cabinet.client)
    await cabinet.client.post("/api/v1/auth/logout", json={"refresh_token": old["refresh_token"]})
    assert await cabinet.read_model("SELECT count(*) FROM ended_sessions") == 1
    # An hour later (the longest access-token lifetime) the next ended session clears the first.
    cabinet.clock.advance(timedelta(hours=1, seconds=1))
    await cabinet.client.post("/api/v1/auth/logout", json={"refresh_token": recent["refresh_token"]})
    assert await cabinet.read_model("SELECT count(*) FROM ended_sessions") == 1
    # The old session's access token had expired by then anyway.
    answer = await cabinet.client.get("/api/v1/accounts/1015/summary", headers=_bearer(old))
    assert answer.status_code == 401 and answer.json()["code"] == "auth.token_expired"
