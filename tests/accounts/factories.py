"""Builders the accounts tests share (and the gateway's, which run accounts in-process): the
service's settings and app wrapper, a courier that keeps what it was given (the test reads the
secrets), the demo data of `make run`, the store's events, and payments' events on Kafka; for the
pure rules, a registered client and an opened account."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

import asyncpg
from aiokafka import AIOKafkaProducer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from services.accounts.application.ports import SecretCourier
from services.accounts.domain.account import PersonalAccount
from services.accounts.domain.client import Client, ClientDetails
from services.accounts.domain.events import PaymentForm
from services.accounts.settings import AccountsSettings
from shared.clock import FakeClock
from shared.cloudevents import to_kafka, topic_for
from shared.db import init_connection
from shared.eventstore import RecordedEvent
from shared.kafka import ensure_topics
from shared.run import ROOT
from tests.conftest import KafkaSpace

TOKEN = {"x-internal-token": "test-internal-token"}
#: Wednesday 2026-03-11, 09:00 in Minsk.
START = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)


@dataclass
class Delivery:
    kind: str
    user_id: str
    account_ids: list[str]
    channel: str
    address: str
    language: str
    secret: str
    expires_at: datetime


class RecordingCourier(SecretCourier):
    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def deliver(self, kind: Any, user_id: str, account_ids: list[str], channel: Any, address: str,
                      language: str, secret: str, expires_at: datetime) -> None:
        self.sent.append(Delivery(kind, user_id, account_ids, channel, address, language, secret, expires_at))

    def last(self, kind: str) -> Delivery:
        return [d for d in self.sent if d.kind == kind][-1]


def accounts_settings(database_url: str, kafka: KafkaSpace) -> AccountsSettings:
    return AccountsSettings(
        billing_env="test", database_url=database_url, kafka_bootstrap_servers=kafka.bootstrap,
        kafka_topic_prefix=kafka.topic_prefix, internal_api_token="test-internal-token", log_format="console",
        argon2_memory_kib=1024, argon2_time_cost=1,
    )


@dataclass
class AccountsApp:
    app: Litestar
    client: AsyncTestClient[Any]
    clock: FakeClock
    courier: RecordingCourier

    async def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return await self.client.post(path, json=body, headers={**TOKEN, **headers})

    async def patch(self, path: str, body: Any) -> Any:
        return await self.client.patch(path, json=body, headers=TOKEN)

    async def get(self, path: str, **params: Any) -> Any:
        return await self.client.get(path, params=params, headers=TOKEN)


def demo_requests() -> list[dict[str, Any]]:
    """The accounts service's part of deploy/demo/requests.json (what `make run` loads)."""
    entries = json.loads((ROOT / "deploy" / "demo" / "requests.json").read_text())
    return [e for e in entries if e["service"] == "accounts"]


async def load_demo(client: AsyncTestClient[Any], opening_balances: dict[str, str] | None = None) -> None:
    """The demo's requests; `opening_balances` opens the named accounts with other balances (the
    demo's debtor, 2002, has no money and is blocked by invoicing's charges, which these tests do
    not run: a test of the block opens it in debt)."""
    for entry in demo_requests():
        body = entry["body"]
        if entry["path"] == "/internal/v1/accounts" and body["account_id"] in (opening_balances or {}):
            body = {**body, "opening_balance": (opening_balances or {})[body["account_id"]]}
        response = await client.request(entry["method"], entry["path"], json=body,
                                         headers={**TOKEN, "x-actor": "demo-loader"})
        assert response.status_code in (200, 201), (entry["path"], response.text)


async def events_of(database_url: str, *types: str) -> list[dict[str, Any]]:
    """The accounts store's events of `types` (all if none), in order, with their payloads."""
    conn = await asyncpg.connect(database_url)
    try:
        await init_connection(conn)
        rows = await conn.fetch(
            "SELECT event_type, stream_id, payload FROM accounts.events"
            " WHERE cardinality($1::text[]) = 0 OR event_type = ANY($1::text[]) ORDER BY global_position",
            list(types),
        )
    finally:
        await conn.close()
    return [{"type": r["event_type"], "stream_id": r["stream_id"], **r["payload"]} for r in rows]


async def publish_payments_events(kafka: KafkaSpace, events: list[tuple[str, int, dict[str, Any]]]) -> None:
    """Payments' events in their documented shape (docs/events.md), on billing.payments.events as
    the payments relay would publish them: (event type, stream version, payload)."""
    await ensure_topics(kafka.bootstrap, [kafka.topic(topic_for("payments"))])
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    try:
        for position, (kind, version, payload) in enumerate(events, start=1):
            recorded = RecordedEvent(
                global_position=position, stream_id=f"payment-account-{payload['account_id']}", stream_type="test",
                stream_version=version, event_id=uuid.uuid4(), event_type=kind, schema_version=1,
                partition_key=payload["account_id"], payload=payload, metadata={"correlation_id": "test"},
                occurred_at=datetime.now(UTC), recorded_at=datetime.now(UTC),
            )
            key, value, headers = to_kafka("payments", recorded)
            await producer.send_and_wait(kafka.topic(topic_for("payments")), value, key=key, headers=headers)
    finally:
        await producer.stop()


# -- the pure rules: aggregates built by their own commands ------------------------------------------
def open_account(opened_at: datetime = START, balance: str = "0.00", *, payment_form: PaymentForm = "prepaid",
                 kind: Literal["person", "organization"] = "person", client_name: str = "Клиент") -> PersonalAccount:
    """Account 1015 of client c1 (contract 1015 of 2019-06-01), opened at `opened_at` with `balance`."""
    client = Client("client-c1")
    client.replay(client.register(ClientDetails(kind, client_name, payment_form, "1015", date(2019, 6, 1))))
    account = PersonalAccount("account-1015")
    account.replay(account.open(client, opened_at, Decimal(balance)))
    return account
