"""The notifications service in-process on a fake clock, with a broker of its own, a real SMTP
server (aiosmtpd) and a real HTTP SMS gateway (the dev sinks), and helpers publishing the other
services' events in their published shape (docs/events.md), as their relays would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from litestar.testing import AsyncTestClient

from services.gateway.projections.messages import CabinetMessages
from services.notifications.app import create_app
from services.notifications.dev.sms_sink import SmsSink
from services.notifications.dev.smtp_sink import SmtpSink
from services.notifications.settings import NotificationsSettings
from shared.clock import FakeClock
from shared.cloudevents import to_kafka, topic_for
from shared.consumer import ProjectionConsumer
from shared.db import Pool, create_pool
from shared.devstack import free_port
from shared.eventstore import RecordedEvent
from shared.kafka import ensure_topics
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.notifications.factories import profile_changed, user_created

#: 13:00 in Minsk: outside quiet hours.
NOON = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    sink, port = SmtpSink(out=None), free_port()
    controller = sink.start("127.0.0.1", port)
    yield sink, port
    controller.stop()


@pytest.fixture
def sms_sink() -> Iterator[SmsSink]:
    sink = SmsSink("127.0.0.1", 0, "test-sms-token", out=None)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOON)


@dataclass
class Notifications:
    client: AsyncTestClient[Any]
    clock: FakeClock
    kafka: KafkaSpace
    database_url: str
    sms: SmsSink
    smtp: SmtpSink
    versions: dict[str, int] = field(default_factory=dict)
    #: Everything published, per service: a test can republish a whole topic.
    published: dict[str, list[Any]] = field(default_factory=dict)

    async def publish(self, service: str, event_type: str, payload: dict[str, Any], *, stream_id: str,
                      event_id: str | None = None, at: datetime | None = None, times: int = 1) -> str:
        """Send one event as the producer's relay would (CloudEvents binary mode), `times` times."""
        version = self.versions[stream_id] = self.versions.get(stream_id, 0) + 1
        event_id = event_id or str(uuid.uuid4())
        recorded = RecordedEvent(
            global_position=version, stream_id=stream_id, stream_type="Test", stream_version=version,
            event_id=uuid.UUID(event_id), event_type=event_type, schema_version=1,
            partition_key=payload.get("account_id") or (payload.get("account_ids") or [None])[0],
            payload=payload, metadata={"correlation_id": f"corr-{event_id[:8]}"},
            occurred_at=at or self.clock.now(), recorded_at=at or self.clock.now(),
        )
        message = to_kafka(service, recorded)
        self.published.setdefault(service, []).append(message)
        await self.send_raw(service, [message] * times)
        return event_id

    async def send_raw(self, service: str, messages: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.kafka.bootstrap)
        await producer.start()
        try:
            for key, value, headers in messages:
                await producer.send_and_wait(self.kafka.topic(topic_for(service)), value, key=key, headers=headers)
        finally:
            await producer.stop()

    async def sql(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.database_url, server_settings={"search_path": "notifications"})
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    async def subscriber(self, user_id: str, account_id: str, *, language: str = "ru", email: str | None = None,
                         phone: str | None = None, confirmed: bool = True) -> None:
        """A cabinet user with a profile, as the accounts service announces them; waits until known."""
        await self.publish("accounts", "CabinetUserCreated", user_created(user_id, account_id, phone=phone),
                           stream_id=f"user-{user_id}")
        await self.publish("accounts", "ProfileChanged", profile_changed(
            user_id, account_id, language=language, email=email, phone=phone, confirmed=confirmed),
            stream_id=f"user-{user_id}")
        await self.caught_up(f"user-{user_id}")

    async def caught_up(self, stream_id: str) -> None:
        """Wait until the service applied everything published on `stream_id` (other topics' events
        may still be on their way: Kafka orders one key's events, not two topics')."""
        await eventually(lambda: self.has_row(
            "SELECT 1 FROM projection_streams WHERE stream_id = $1 AND stream_version >= $2",
            stream_id, self.versions[stream_id]))

    async def has_row(self, query: str, *args: Any) -> bool:
        return bool(await self.sql(query, *args))

    async def outbox(self, *, sms: int, email: int) -> None:
        """Wait until the sinks hold this many messages; a moment more shows any extra one."""

        async def arrived() -> bool:
            return len(self.sms.received) >= sms and len(self.smtp.received) >= email

        await eventually(arrived)
        await asyncio.sleep(0.3)
        assert (len(self.sms.received), len(self.smtp.received)) == (sms, email)

    async def deliveries(self) -> list[asyncpg.Record]:
        return await self.sql("SELECT * FROM deliveries ORDER BY queued_at, channel, address")




def settings_for(database_url: str, kafka: KafkaSpace, smtp_port: int, sms_url: str, **extra: Any) -> NotificationsSettings:
    return NotificationsSettings(
        billing_env="test", database_url=database_url, kafka_bootstrap_servers=kafka.bootstrap,
        kafka_topic_prefix=kafka.topic_prefix, internal_api_token="test-internal-token", log_format="json",
        log_level="DEBUG", smtp_port=smtp_port, sms_gateway_url=sms_url,
        sms_gateway_token="test-sms-token", secret_retry_pause_s=0.01, **extra,
    )


@pytest.fixture
async def notifications(
    database_url: str, kafka: KafkaSpace, clock: FakeClock, smtp_sink: tuple[SmtpSink, int], sms_sink: SmsSink,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Notifications]:
    """The service; a test marked `@pytest.mark.parametrize("overrides", [{...}])` style can pass
    settings through `request.param` when the fixture is parametrized indirectly."""
    overrides: dict[str, Any] = getattr(request, "param", {})
    await ensure_topics(kafka.bootstrap, [kafka.topic(topic_for(s)) for s in ("accounts", "payments", "notifications", "invoicing")])
    smtp, smtp_port = smtp_sink
    app = create_app(settings_for(database_url, kafka, smtp_port, sms_sink.url, **overrides), clock)
    async with AsyncTestClient(app) as client:
        yield Notifications(client, clock, kafka, database_url, sms_sink, smtp)


GATEWAY_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "gateway" / "migrations"


@pytest.fixture
async def gateway_pool(database_url: str) -> AsyncIterator[Pool]:
    """The gateway's schema, as the gateway migrates it (these tests feed only its "Messages" table)."""
    await apply_migrations(database_url, "gateway", discover(KERNEL_SQL, GATEWAY_MIGRATIONS, prefixes=("kernel", "gateway")))
    pool = await create_pool(database_url, "gateway")
    yield pool
    await pool.close()


@pytest.fixture
async def cabinet_messages(gateway_pool: Pool, kafka: KafkaSpace) -> AsyncIterator[Pool]:
    """The gateway's "Messages" read model, fed from billing.notifications.events by the kernel's
    consumer."""
    topic = kafka.topic(topic_for("notifications"))
    await ensure_topics(kafka.bootstrap, [topic, f"{topic}.dlq"])
    broker = KafkaBroker(kafka.bootstrap, logger=None)
    ProjectionConsumer(gateway_pool, CabinetMessages(), topic_prefix=kafka.topic_prefix).attach(broker)
    await broker.start()
    yield gateway_pool
    await broker.stop()
