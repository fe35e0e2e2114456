"""The payments API under hostile bodies and a database that goes away: 4xx or 503 problem details,
never a 500, and nothing half-applied."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.payments.factories import INTERNAL
from tests.payments.test_register_payment_api import GOOD, client, event_count  # noqa: F401 (fixture)

JSON = {**INTERNAL, "content-type": "application/json"}


@pytest.mark.parametrize(("body", "status", "code"), [
    (json.dumps({**GOOD, "external_id": "cash\u0000-1"}).encode(), 400, "request.control_character"),
    (b'{"account_id": "1015", "amount": "1.00", "method": "cash", "external_id": "\xff", "paid_at": "x"}',
     400, "request.invalid_encoding"),
    (b"[" * 1000 + b"]" * 1000, 400, "request.too_deep"),
    (b'{"x": "' + b"a" * (1024 * 1024) + b'"}', 413, "request.too_large"),
])
async def test_hostile_bodies_get_a_problem_and_change_nothing(
    client: AsyncTestClient[Any], database_url: str, body: bytes, status: int, code: str,  # noqa: F811
) -> None:
    response = await client.post("/internal/v1/payments", content=body, headers=JSON)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert await event_count(database_url) == 0


async def _cut_off(admin_dsn: str, database: str, allow: bool) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database)
    finally:
        await admin.close()


async def test_while_the_database_is_away_commands_answer_503_with_retry_after_and_then_recover(
    client: AsyncTestClient[Any], database_url: str, pg_admin_dsn: str,  # noqa: F811
) -> None:
    database = urlsplit(database_url).path.lstrip("/")
    assert (await client.post("/internal/v1/payments", json=GOOD, headers=INTERNAL)).status_code == 201
    await _cut_off(pg_admin_dsn, database, allow=False)
    try:
        for n in range(3):
            refused = await client.post("/internal/v1/payments", json={**GOOD, "external_id": f"away-{n}"},
                                        headers=INTERNAL)
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "service.unavailable" and refused.headers["retry-after"] == "5"
        assert (await client.get("/health/ready")).status_code == 503
    finally:
        await _cut_off(pg_admin_dsn, database, allow=True)
    assert await event_count(database_url) == 1  # nothing half-applied while it was away
    again = await client.post("/internal/v1/payments", json={**GOOD, "external_id": "after"}, headers=INTERNAL)
    assert again.status_code == 201, again.text
    assert (await client.get("/health/ready")).status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_said_to_be_json_is_refused(
    client: AsyncTestClient[Any], database_url: str, content_type: str | None,  # noqa: F811
) -> None:
    headers = {**INTERNAL, **({"content-type": content_type} if content_type else {})}
    response = await client.post("/internal/v1/payments", content=json.dumps(GOOD).encode(), headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "request.unsupported_media_type"
    assert await event_count(database_url) == 0
