"""The payments internal API: a registration appends PaymentRegistered once; bad input changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from services.payments.app import create_app
from services.payments.settings import PaymentsSettings
from shared.money import AMOUNT_PATTERN
from tests.conftest import KafkaSpace
from tests.payments.factories import INTERNAL

GOOD = {
    "account_id": "1015",
    "amount": "150.00",
    "method": "cash",
    "external_id": "cash-0001",
    "paid_at": "2026-11-20T10:00:00+03:00",
}


@pytest.fixture
async def client(database_url: str, kafka: KafkaSpace, account_1015: str) -> AsyncIterator[AsyncTestClient[Any]]:
    """The service, with account 1015 known to it (its projection of account facts)."""
    settings = PaymentsSettings(
        billing_env="test", database_url=database_url, kafka_bootstrap_servers=kafka.bootstrap,
        internal_api_token="test-internal-token", log_format="console", kafka_topic_prefix=kafka.topic_prefix,
    )
    async with AsyncTestClient(create_app(settings)) as test_client:
        yield test_client


async def event_count(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM payments.events"))
    finally:
        await conn.close()


async def test_a_registration_appends_one_payment_and_a_repeat_answers_the_same(
    client: AsyncTestClient[Any], database_url: str
) -> None:
    first = await client.post("/internal/v1/payments", json=GOOD, headers=INTERNAL)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["amount"] == "150.00" and body["account_id"] == "1015" and body["position"] >= 1
    again = await client.post("/internal/v1/payments", json=GOOD, headers=INTERNAL)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["payment_id"] == body["payment_id"]
    assert await event_count(database_url) == 1


async def test_the_same_external_id_with_another_amount_is_a_conflict_and_changes_nothing(
    client: AsyncTestClient[Any], database_url: str
) -> None:
    assert (await client.post("/internal/v1/payments", json=GOOD, headers=INTERNAL)).status_code == 201
    response = await client.post("/internal/v1/payments", json={**GOOD, "amount": "15.00"}, headers=INTERNAL)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "payment.external_id_reused"
    assert await event_count(database_url) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "0"}, {"amount": "0.00"}, {"amount": "-5.00"}, {"amount": "1.005"}, {"amount": "NaN"},
        {"amount": "Infinity"}, {"amount": "99999999999999999999.00"}, {"amount": 10.5}, {"amount": ["1"]},
        {"amount": None}, {"amount": 100}, {"amount": "1e2"}, {"amount": "1E-2"}, {"amount": "+1.00"},
        {"amount": " 1.00"}, {"amount": "١٠٠"}, {"amount": "1_000.00"}, {"account_id": 1015}, {"account_id": "../etc"}, {"account_id": ""},
        {"method": "bitcoin"}, {"external_id": ""}, {"external_id": "x" * 129}, {"paid_at": "yesterday"},
        {"paid_at": "2026-11-20T10:00:00"}, {"unexpected": "field"},
    ],
)
async def test_bad_input_is_a_problem_with_a_stable_code_and_appends_nothing(
    client: AsyncTestClient[Any], database_url: str, change: dict[str, Any]
) -> None:
    response = await client.post("/internal/v1/payments", json={**GOOD, **change}, headers=INTERNAL)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "request.invalid"
    assert problem["status"] == 400 and problem["errors"]
    assert await event_count(database_url) == 0


async def test_a_missing_field_is_named(client: AsyncTestClient[Any]) -> None:
    body = {k: v for k, v in GOOD.items() if k != "amount"}
    response = await client.post("/internal/v1/payments", json=body, headers=INTERNAL)
    assert response.status_code == 400
    assert any("amount" in (e["field"] or "") or "amount" in e["message"] for e in response.json()["errors"])


async def test_malformed_json_is_a_problem(client: AsyncTestClient[Any], database_url: str) -> None:
    response = await client.post(
        "/internal/v1/payments", content=b'{"account_id": "1015", "amount": ',
        headers={**INTERNAL, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "request.invalid"
    assert await event_count(database_url) == 0


async def test_the_internal_api_refuses_callers_without_the_token(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/internal/v1/payments", json=GOOD, headers={"x-internal-token": "guess"})
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


async def test_the_schema_says_what_an_amount_looks_like(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    bodies = {operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
              for item in schema["paths"].values() for operation in item.values()
              if isinstance(operation, dict) and "requestBody" in operation}
    amounts = [s["properties"]["amount"] for name, s in schema["components"]["schemas"].items()
               if name in bodies and "amount" in s.get("properties", {})]
    assert amounts and all(a["type"] == "string" and a["pattern"] == AMOUNT_PATTERN for a in amounts)
