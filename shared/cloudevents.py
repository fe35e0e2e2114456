"""CloudEvents 1.0, Kafka protocol binding, binary mode: attributes travel as `ce_*` headers and the
value is the event's JSON, so any Kafka client or the CloudEvents SDK can read our topics."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.eventstore import RecordedEvent

__all__ = ["CloudEventHeaders", "ce_type", "parse_headers", "to_kafka", "topic_for"]

SPEC_VERSION = b"1.0"
CONTENT_TYPE = b"application/json"


def topic_for(service: str) -> str:
    return f"billing.{service}.events"


def ce_type(service: str, event_type: str, version: int) -> str:
    return f"billing.{service}.{event_type}.v{version}"


def to_kafka(service: str, event: RecordedEvent) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    """Key, value and headers of one stored event."""
    headers: list[tuple[str, bytes]] = [
        ("ce_specversion", SPEC_VERSION),
        ("ce_id", str(event.event_id).encode()),
        ("ce_source", f"/billing/{service}".encode()),
        ("ce_type", ce_type(service, event.event_type, event.schema_version).encode()),
        ("ce_time", event.occurred_at.isoformat().encode()),
        ("content-type", CONTENT_TYPE),
        # Extensions: lower-case alphanumerics only, as the spec requires.
        ("ce_streamid", event.stream_id.encode()),
        ("ce_streamversion", str(event.stream_version).encode()),
        ("ce_globalposition", str(event.global_position).encode()),
        ("ce_eventtype", event.event_type.encode()),
        ("ce_schemaversion", str(event.schema_version).encode()),
    ]
    if event.partition_key is not None:
        headers.append(("ce_subject", event.partition_key.encode()))
    for name, attribute in (("correlation_id", "ce_correlationid"), ("causation_id", "ce_causationid")):
        value = event.metadata.get(name)
        if value:
            headers.append((attribute, str(value).encode()))
    key = event.partition_key.encode() if event.partition_key is not None else None
    value = json.dumps(event.payload, separators=(",", ":")).encode()
    return key, value, headers


@dataclass(frozen=True)
class CloudEventHeaders:
    id: str
    source: str
    type: str
    time: datetime
    subject: str | None
    stream_id: str
    stream_version: int
    global_position: int | None
    event_type: str
    schema_version: int
    correlation_id: str | None
    causation_id: str | None


def parse_headers(headers: Any) -> CloudEventHeaders:
    """Read our attributes back; a message without them raises (and is dead-lettered)."""
    raw = {name: value.decode() for name, value in headers or ()}
    if raw.get("ce_specversion") != "1.0":
        raise ValueError("not a CloudEvents 1.0 binary-mode message")
    position = raw.get("ce_globalposition")
    return CloudEventHeaders(
        id=raw["ce_id"],
        source=raw["ce_source"],
        type=raw["ce_type"],
        time=datetime.fromisoformat(raw["ce_time"]),
        subject=raw.get("ce_subject"),
        stream_id=raw["ce_streamid"],
        stream_version=int(raw["ce_streamversion"]),
        global_position=int(position) if position else None,
        event_type=raw["ce_eventtype"],
        schema_version=int(raw["ce_schemaversion"]),
        correlation_id=raw.get("ce_correlationid"),
        causation_id=raw.get("ce_causationid"),
    )


def decode_value(value: bytes) -> dict[str, Any]:
    data = json.loads(value)
    if not isinstance(data, dict):
        raise ValueError("event value is not a JSON object")
    return data
