"""The telephony service as it runs: accounts' facts from Kafka, raw CDRs from Kafka
(`telephony.cdr.raw`) and the HTTP batch, its internal API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from litestar.testing import AsyncTestClient

from services.telephony.app import create_app
from services.telephony.settings import TelephonySettings
from shared.clock import FakeClock
from shared.kafka import ensure_topics
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.invoicing.factories import publish_account_events
from tests.telephony.factories import SIP_ADMIN, SIP_NUMBER, at, cdr, sip_organization

INTERNAL = {"x-internal-token": "test-internal-token"}
OFF_NET = "375331234567"


@pytest.fixture
async def client(database_url: str, kafka: KafkaSpace, clock: FakeClock) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = TelephonySettings(billing_env="test", database_url=database_url, kafka_bootstrap_servers=kafka.bootstrap,
                                 kafka_topic_prefix=kafka.topic_prefix, internal_api_token="test-internal-token",
                                 log_format="json", invoicing_url="http://127.0.0.1:9")
    async with AsyncTestClient(create_app(settings, clock)) as test_client:
        yield test_client


async def test_cdrs_from_kafka_and_http_are_taken_once_and_bad_ones_dead_lettered(
        client: AsyncTestClient[Any], kafka: KafkaSpace) -> None:
    await publish_account_events(kafka, sip_organization(at("2026-11-01", 0)))

    async def lines_known() -> bool:  # the bundle too (the account's last fact)
        answer = await client.get("/internal/v1/accounts/3003/lines", headers=INTERNAL)
        return answer.status_code == 200 and any(c.get("free_minutes_total") for c in answer.json()["items"])

    await eventually(lines_known)
    topic = kafka.topic("telephony.cdr.raw")
    await ensure_topics(kafka.bootstrap, [topic])
    call = cdr("k-1", SIP_ADMIN, OFF_NET, at("2026-11-18", 10), 600)
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    try:
        for _ in range(10):
            await producer.send_and_wait(topic, json.dumps(call).encode())
        await producer.send_and_wait(topic, b"{not json")
        await producer.send_and_wait(topic, json.dumps([cdr("k-2", SIP_NUMBER, OFF_NET, at("2026-11-18", 11), 60),
                                                        {**call, "call_id": "k-3", "caller": "12x"}]).encode())
    finally:
        await producer.stop()

    async def taken() -> bool:
        detail = await client.get("/internal/v1/accounts/3003/lines/sip-375170003003/calls",
                                  params={"period": "current", "direction": "out"}, headers=INTERNAL)
        dead = await client.get("/internal/v1/cdrs/dead-letters", headers=INTERNAL)
        return detail.json()["total"] == 1 and dead.json()["total"] == 2

    await eventually(taken)
    cards = {c["identifier"]: c for c in (await client.get("/internal/v1/accounts/3003/lines",
                                                           headers=INTERNAL)).json()["items"]}
    assert cards[SIP_ADMIN]["free_minutes_left"] == 2990
    assert "free_minutes_left" not in cards[SIP_NUMBER]
    again = await client.post("/internal/v1/cdrs", json={"items": [call, {"origin": "sw"}]}, headers=INTERNAL)
    assert again.status_code == 200
    body = again.json()
    assert (body["accepted"], body["duplicates"], body["dead_lettered"]) == (0, 1, 1)
    assert body["dead_letters"][0]["code"] == "cdr.field_missing"


async def test_the_package_change_is_refused_inside_seven_days_with_a_stable_code(
        client: AsyncTestClient[Any], kafka: KafkaSpace) -> None:
    await publish_account_events(kafka, sip_organization(at("2026-11-01", 0)))

    async def lines_known() -> bool:
        return (await client.get("/internal/v1/accounts/3003/lines", headers=INTERNAL)).status_code == 200 and bool(
            (await client.get("/internal/v1/accounts/3003/lines", headers=INTERNAL)).json()["items"])

    await eventually(lines_known)
    path = "/internal/v1/accounts/3003/lines/sip-375170003003/channels"
    first = await client.post(path, json={"channels": 20}, headers={**INTERNAL, "idempotency-key": "ch-1"})
    assert first.status_code == 200 and first.json()["channels"] == 20
    repeat = await client.post(path, json={"channels": 20}, headers={**INTERNAL, "idempotency-key": "ch-1"})
    assert repeat.status_code == 200 and repeat.headers["idempotent-replayed"] == "true"
    refused = await client.post(path, json={"channels": 30}, headers=INTERNAL)
    assert refused.status_code == 422
    assert refused.json()["code"] == "channels.change_too_soon"
    assert refused.json()["next_change_at"] == first.json()["next_change_at"]
    unknown = await client.get("/internal/v1/accounts/3003/lines/nope/channels", headers=INTERNAL)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "line.not_found")
    bad = await client.post(path, json={"channels": "many"}, headers=INTERNAL)
    assert bad.status_code == 400
