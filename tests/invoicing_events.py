"""Invoicing's events in their published shape (docs/events.md, docs/asyncapi/invoicing.json), put
on the test's billing.invoicing.events as invoicing's relay would (CloudEvents binary mode, keyed by
account, stream `charges-<account>`). Every consumer's tests use these; none imports the producer.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.cloudevents import to_kafka, topic_for
from shared.eventstore import RecordedEvent
from shared.kafka import ensure_topics
from shared.money import vat_from_gross
from tests.conftest import KafkaSpace

__all__ = ["InvoicingEvent", "charge_posted", "charges_stream", "fees_forecast", "invoice_issued", "invoice_overdue",
           "publish_invoicing_events"]

#: (event type, stream version, payload)
InvoicingEvent = tuple[str, int, dict[str, Any]]


def charges_stream(account_id: str) -> str:
    return f"charges-{account_id}"


def _stream_of(kind: str, payload: dict[str, Any]) -> str:
    """An overdue invoice is on its own stream `invoice-<id>`; every other event on the account's charges."""
    return f"invoice-{payload['invoice_id']}" if kind == "InvoiceOverdue" else charges_stream(payload["account_id"])


def invoice_issued(account_id: str, invoice_id: str, period: str, total: str, due_on: str) -> dict[str, Any]:
    return {"account_id": account_id, "invoice_id": invoice_id, "series": "INV", "number": f"INV-{invoice_id}",
            "period": period, "net": total, "vat": "0", "other_tax": "0", "total": total,
            "issued_at": f"{period}T00:00:00+00:00", "due_on": due_on}


def invoice_overdue(account_id: str, invoice_id: str, period: str, total: str, unpaid: str,
                    due_on: str) -> dict[str, Any]:
    return {"account_id": account_id, "invoice_id": invoice_id, "number": f"INV-{invoice_id}", "period": period,
            "total": total, "unpaid": unpaid, "due_on": due_on, "at": f"{due_on}T00:00:00+00:00"}


def charge_posted(account_id: str, charge_id: str, total: str, *, period: str = "2026-11-01",
                  kind: str = "subscription", line_id: str | None = None, vat_rate: str = "20") -> dict[str, Any]:
    """One charge line; net and VAT split from the gross `total` as the charges page shows them."""
    split = vat_from_gross(Decimal(total), Decimal(vat_rate))
    first = date.fromisoformat(period)
    return {
        "account_id": account_id, "charge_id": charge_id, "period": period, "kind": kind,
        "item": f"line:{line_id or 'line-' + account_id}", "line_id": line_id,
        "description": f"Абонентская плата {charge_id}",
        "from_day": first.isoformat(), "to_day": first.replace(day=28).isoformat(), "quantity": None,
        "net": str(split.net), "vat_rate": vat_rate, "vat": str(split.vat), "other_tax": "0", "total": total,
        "posted_at": datetime(first.year, first.month, 1, tzinfo=UTC).isoformat(),
    }


def fees_forecast(account_id: str, period: str, amount: str, at: datetime | None = None) -> dict[str, Any]:
    return {"account_id": account_id, "period": period, "amount": amount,
            "at": (at or datetime(2026, 11, 1, tzinfo=UTC)).isoformat()}


async def publish_invoicing_events(kafka: KafkaSpace, events: list[InvoicingEvent], *,
                                   event_ids: list[str] | None = None) -> list[str]:
    """Publish on the test's invoicing topic; the event ids used (pass `event_ids` to resend some)."""
    topic = kafka.topic(topic_for("invoicing"))
    await ensure_topics(kafka.bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    ids: list[str] = []
    try:
        for index, (kind, version, payload) in enumerate(events):
            event_id = uuid.UUID(event_ids[index]) if event_ids else uuid.uuid4()
            ids.append(str(event_id))
            recorded = RecordedEvent(
                global_position=version, stream_id=_stream_of(kind, payload), stream_type="AccountCharges",
                stream_version=version, event_id=event_id, event_type=kind, schema_version=1,
                partition_key=payload["account_id"], payload=payload, metadata={"correlation_id": f"test-{event_id}"},
                occurred_at=datetime.now(UTC), recorded_at=datetime.now(UTC),
            )
            key, value, headers = to_kafka("invoicing", recorded)
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()
    return ids
