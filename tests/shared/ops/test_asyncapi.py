"""The published AsyncAPI documents describe every event each service publishes, and are current."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import jsonschema_rs

from services.payments.domain.events import PaymentRegistered
from shared.cloudevents import to_kafka
from shared.events import DomainEvent, registry
from shared.eventstore import RecordedEvent
from shared.ops.asyncapi import ROOT, document_for, publishing_services

DOCS = ROOT / "docs" / "asyncapi"


def test_every_registered_event_of_a_service_is_in_its_document() -> None:
    for service in publishing_services():
        document = document_for(service)
        channels = document["channels"]
        assert isinstance(channels, dict)
        titles = set(channels)
        events = [c for c in registry.classes() if c.__module__.startswith(f"services.{service}.")]
        assert events, service
        for cls in events:
            assert f"billing.{service}.{cls.event_type}.v{cls.schema_version}" in titles
            assert channels[f"billing.{service}.{cls.event_type}.v{cls.schema_version}"]["address"] == (
                f"billing.{service}.events")


def test_the_committed_documents_are_current() -> None:
    for service in publishing_services():
        committed = DOCS / f"{service}.json"
        assert committed.exists(), f"run `make asyncapi` to publish {service}'s events"
        assert json.loads(committed.read_text()) == document_for(service), (
            f"docs/asyncapi/{service}.json is stale: run `make asyncapi`")


def test_payment_registered_documents_money_and_time_fields() -> None:
    schema = document_for("payments")["components"]["schemas"]["PaymentRegistered"]  # type: ignore[index]
    assert {"account_id", "amount", "paid_at"} <= set(schema["required"])
    assert Path(DOCS / "payments.json").exists()


def _published(event: DomainEvent, service: str, metadata: dict[str, str]) -> tuple[bytes | None, bytes, dict[str, str]]:
    """The Kafka message the relay sends for `event` (shared/cloudevents.py)."""
    at = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)
    recorded = RecordedEvent(
        global_position=7, stream_id=f"payment-account-{event.partition_key}", stream_type="PaymentAccount",
        stream_version=3, event_id=uuid.uuid4(), event_type=event.event_type, schema_version=event.schema_version,
        partition_key=event.partition_key, payload=event.to_payload(), metadata=metadata, occurred_at=at,
        recorded_at=at,
    )
    key, value, headers = to_kafka(service, recorded)
    return key, value, {name: raw.decode() for name, raw in headers}


def test_a_message_as_sent_matches_its_documented_headers_key_and_payload() -> None:
    """What the relay sends is what the document says: the ce_* headers (and no other), the key (the
    account id, as in ce_subject), the correlation id at the header actually sent, money as strings."""
    document = document_for("payments")
    message = document["components"]["messages"]["billing.payments.PaymentRegistered.v1:Message"]
    payload_schema = document["components"]["schemas"]["PaymentRegistered"]
    event = PaymentRegistered(account_id="1015", payment_id="p-1", amount=Decimal("150.00"), method="cash",
                              external_id="cash-1", paid_at=datetime(2026, 3, 11, 7, tzinfo=UTC),
                              registered_by="operator")
    for metadata in ({"correlation_id": "corr-1", "causation_id": "cause-1"}, {}):
        key, value, headers = _published(event, "payments", metadata)
        jsonschema_rs.validate(message["headers"], headers)
        assert set(headers) <= set(message["headers"]["properties"])
        assert key == b"1015" and headers["ce_subject"] == "1015"
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        jsonschema_rs.validate(payload_schema, json.loads(value))
        assert json.loads(value)["amount"] == "150.00" and payload_schema["properties"]["amount"]["type"] == "string"
    location = message["correlationId"]["location"]
    assert location == "$message.header#/ce_correlationid"
    assert _published(event, "payments", {"correlation_id": "corr-1"})[2][location.rsplit("/", 1)[1]] == "corr-1"


def test_every_message_documents_its_cloudevents_headers_and_key() -> None:
    for service in publishing_services():
        document = document_for(service)
        for title, message in document["components"]["messages"].items():  # type: ignore[index]
            headers = message["headers"]
            assert headers["properties"]["ce_type"] == {"const": title.removesuffix(":Message")}
            assert {"ce_id", "ce_source", "ce_type", "ce_time", "ce_specversion", "ce_subject"} <= set(headers["required"])
            assert message["correlationId"]["location"] == "$message.header#/ce_correlationid"
            assert message["bindings"]["kafka"]["key"]["type"] == "string"
