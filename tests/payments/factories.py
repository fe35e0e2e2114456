"""Builders the payments tests share: the tests' clock and actor, account facts and aggregates for the
pure rules, and accounts' events in their documented shape (docs/events.md, billing.accounts.events),
built by the payments tests themselves (they never import services.accounts): applied straight to
the payments service's projection of account facts, or published to Kafka as CloudEvents."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer

from services.payments.domain.account import PaymentAccount, PaymentRequest, stream_id_for
from services.payments.domain.facts import AccountFacts
from services.payments.projections.account_facts import AccountFactsProjection
from shared.cloudevents import to_kafka, topic_for
from shared.db import Pool
from shared.events import DomainEvent
from shared.eventstore import Metadata, RecordedEvent
from shared.kafka import ensure_topics
from shared.projection import IncomingEvent, apply_batch
from tests.conftest import KafkaSpace
from tests.invoicing_events import charge_posted

MINSK = ZoneInfo("Europe/Minsk")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OPENED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
META = Metadata(correlation_id="test-correlation", actor="subscriber:u-1015")
#: The internal API's token in the tests' settings.
INTERNAL = {"x-internal-token": "test-internal-token"}


# -- account facts and aggregates, for the pure rules ---------------------------------------------
def facts(**changes: object) -> AccountFacts:
    values: dict[str, object] = {
        "account_id": "1015", "opened_at": OPENED, "payment_form": "prepaid", "opening_balance": Decimal("0.00"),
        "monthly_fee": Decimal("25.00"), "next_period_fee": Decimal("25.00"),
    }
    values.update(changes)
    return AccountFacts(**values)  # type: ignore[arg-type]


def account(*events: DomainEvent) -> PaymentAccount:
    aggregate = PaymentAccount(stream_id_for("1015"))
    aggregate.replay(list(events))
    return aggregate


def decide(aggregate: PaymentAccount, events: list[DomainEvent]) -> list[DomainEvent]:
    """Apply what a decision returned, as `execute` does after appending."""
    aggregate.replay(events)
    return events


def payment(amount: str, external_id: str = "cash-1", at: datetime = OPENED) -> PaymentRequest:
    return PaymentRequest("1015", Decimal(amount), "cash", external_id, at)


def day(text: str) -> date:
    return date.fromisoformat(text)


# -- billing.accounts.events ------------------------------------------------------------------------
Event = tuple[str, str, int, dict[str, Any]]  # (event type, stream id, stream version, payload)


def opened_account(
    account_id: str, opened_at: datetime, *, fee: str = "25.00", opening_balance: str = "0.00",
    organization: bool = False, contract_date: date | None = None,
) -> list[Event]:
    """A client, its personal account and one internet line, and the monthly fee invoicing forecasts
    for it from the month it was opened."""
    client_id = f"client-{account_id}"
    contract = contract_date or opened_at.date()
    return [
        ("ClientRegistered", f"client-{client_id}", 1, {
            "client_id": client_id, "kind": "organization" if organization else "person",
            "name": "ООО Ромашка" if organization else "Иванов Иван", "tax_id": "190000001" if organization else None,
            "payment_form": "prepaid", "contract_number": account_id, "contract_date": contract.isoformat()}),
        ("AccountOpened", f"account-{account_id}", 1, {
            "account_id": account_id, "client_id": client_id, "organization_id": client_id if organization else None,
            "contract_number": account_id, "payment_form": "prepaid", "opened_at": opened_at.isoformat(),
            "opening_balance": opening_balance}),
        ("ServiceLineAdded", f"account-{account_id}", 2, {
            "account_id": account_id, "line_id": f"line-{account_id}", "kind": "internet",
            "identifier": f"login{account_id}", "subscriber_name": "Иванов Иван", "tariff_id": "inet-50",
            "tariff_name": "Безлимитный 50 Мбит/с, 1 мес", "monthly_fee": fee, "vat_rate": "20"}),
        forecast(account_id, 1, opened_at.date().replace(day=1), fee, at=opened_at),
    ]


def forecast(account_id: str, version: int, period: date, amount: str, at: datetime = OPENED) -> Event:
    """Invoicing's FeesForecast (docs/events.md): the account's fees for `period`."""
    return ("FeesForecast", f"charges-{account_id}", version, {
        "account_id": account_id, "period": period.isoformat(), "amount": amount, "at": at.isoformat()})


def charged(account_id: str, version: int, charge_id: str, total: str) -> Event:
    """Invoicing's ChargePosted (docs/events.md), one charge line of `total`."""
    return ("ChargePosted", f"charges-{account_id}", version, charge_posted(account_id, charge_id, total))


def service_of(stream_id: str) -> str:
    """The publisher of a stream: invoicing's are `charges-<account>`, the rest here accounts'."""
    return "invoicing" if stream_id.startswith("charges-") else "accounts"


def account_event(event_type: str, account_id: str, version: int, **payload: Any) -> Event:
    return (event_type, f"account-{account_id}", version, {"account_id": account_id, **payload})


def incoming(events: list[Event], at: datetime | None = None) -> list[IncomingEvent]:
    return [
        IncomingEvent(
            event_id=str(uuid.uuid4()), source=f"/billing/{service_of(stream)}", event_type=kind, schema_version=1,
            stream_id=stream, stream_version=version, global_position=None, subject=payload.get("account_id"),
            occurred_at=at or datetime(2026, 1, 1, tzinfo=UTC), payload=payload,
        )
        for kind, stream, version, payload in events
    ]


async def feed_facts(pool: Pool, events: list[Event], at: datetime | None = None) -> int:
    """Apply accounts' (and invoicing's) events to the payments service's projection, as its consumer would."""
    return await apply_batch(pool, AccountFactsProjection(), incoming(events, at))


async def publish_account_events(kafka: KafkaSpace, events: list[Event]) -> None:
    """Put accounts' events on billing.accounts.events as the accounts relay would (CloudEvents), and
    invoicing's on billing.invoicing.events."""
    await ensure_topics(kafka.bootstrap, [kafka.topic(topic_for(s)) for s in ("accounts", "invoicing")])
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    try:
        for position, (kind, stream, version, payload) in enumerate(events, start=1):
            recorded = RecordedEvent(
                global_position=position, stream_id=stream, stream_type="test", stream_version=version,
                event_id=uuid.uuid4(), event_type=kind, schema_version=1, partition_key=payload.get("account_id"),
                payload=payload, metadata={"correlation_id": f"test-{uuid.uuid4()}"},
                occurred_at=datetime.now(UTC), recorded_at=datetime.now(UTC),
            )
            service = service_of(stream)
            key, value, headers = to_kafka(service, recorded)
            await producer.send_and_wait(kafka.topic(topic_for(service)), value, key=key, headers=headers)
    finally:
        await producer.stop()
