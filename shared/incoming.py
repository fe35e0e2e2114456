"""An event as a consumer sees it, from Kafka (CloudEvents headers and JSON value) or from a store."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from shared.cloudevents import CloudEventHeaders
from shared.eventstore import RecordedEvent

__all__ = ["IncomingEvent"]

_new = object.__new__


@dataclass(frozen=True)
class IncomingEvent:
    """An event as a consumer sees it: what the CloudEvents headers say and the JSON payload.

    Consumers in other services read payloads with their own models of the fields they need
    (they never import the producer's classes)."""

    event_id: str
    source: str
    event_type: str
    schema_version: int
    stream_id: str
    stream_version: int
    global_position: int | None
    subject: str | None
    occurred_at: datetime
    payload: dict[str, Any]
    correlation_id: str | None = None

    @classmethod
    def from_headers(cls, headers: CloudEventHeaders, payload: dict[str, Any]) -> IncomingEvent:
        return cls(
            event_id=headers.id,
            source=headers.source,
            event_type=headers.event_type,
            schema_version=headers.schema_version,
            stream_id=headers.stream_id,
            stream_version=headers.stream_version,
            global_position=headers.global_position,
            subject=headers.subject,
            occurred_at=headers.time,
            payload=payload,
            correlation_id=headers.correlation_id,
        )

    @classmethod
    def from_recorded(cls, service: str, event: RecordedEvent) -> IncomingEvent:
        return cls(
            event_id=str(event.event_id),
            source=f"/billing/{service}",
            event_type=event.event_type,
            schema_version=event.schema_version,
            stream_id=event.stream_id,
            stream_version=event.stream_version,
            global_position=event.global_position,
            subject=event.partition_key,
            occurred_at=event.occurred_at,
            payload=event.payload,
            correlation_id=event.metadata.get("correlation_id"),
        )

    @classmethod
    def from_row(cls, service: str, row: Any) -> IncomingEvent:
        """From a row of `EventStore.read_for_replay` (a replay reads many; no RecordedEvent between),
        its payload JSON text decoded by orjson. The fields are set straight into the new object's
        `__dict__`, as the generated `__init__` would set them one by one (a quarter of its cost)."""
        event = _new(cls)
        event.__dict__.update(
            event_id=row[3], source=f"/billing/{service}", event_type=row[4], schema_version=row[5],
            stream_id=row[1], stream_version=row[2], global_position=row[0], subject=row[6], occurred_at=row[9],
            payload=orjson.loads(row[7]), correlation_id=row[8],
        )
        return event

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object (kept in `projection_parked` while it waits)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fields["occurred_at"] = self.occurred_at.isoformat()
        return fields

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncomingEvent:
        return cls(**{**data, "occurred_at": datetime.fromisoformat(data["occurred_at"])})
