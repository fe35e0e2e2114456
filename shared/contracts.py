"""What a consumer accepts from a topic: the producer's published contract, checked before a message
reaches a projection.

The contract of `billing.<service>.events` is the AsyncAPI document `docs/asyncapi/<service>.json`
(generated from the producer's event classes by `make asyncapi`; a test keeps it current): its
channels are the `ce_type`s the service publishes. A message passes when its CloudEvents headers
agree with one another and with the topic (`ce_source` is the topic's service, `ce_type` is
`billing.<service>.<ce_eventtype>.v<ce_schemaversion>`, stream version >= 1) and its type is in the
contract, at the published schema version or an older one (a republished old event). Anything else
is not an event of this topic: the consumer dead-letters it without touching any stream's state.
A type in the contract that a projection does not use is still a real event of its stream: the
projection ignores it and the stream's version moves on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from shared.cloudevents import CloudEventHeaders, ce_type

__all__ = ["DOCUMENTS", "EventContract", "InvalidEvent", "published_contract"]

DOCUMENTS = Path(__file__).resolve().parents[1] / "docs" / "asyncapi"


class InvalidEvent(ValueError):
    """A message that is not an event of its topic's contract."""


def _service_of(topic: str) -> str | None:
    parts = topic.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "billing" and parts[2] == "events" else None


class EventContract:
    """Per topic, the event types published on it and the newest schema version of each."""

    def __init__(self, topics: Mapping[str, Mapping[str, int]]) -> None:
        for topic in topics:
            if _service_of(topic) is None:
                raise ValueError(f"{topic} is not a billing.<service>.events topic")
        self._topics = {topic: dict(types) for topic, types in topics.items()}

    @classmethod
    def from_documents(cls, folder: Path) -> EventContract:
        topics: dict[str, dict[str, int]] = {}
        for path in sorted(folder.glob("*.json")):
            for title, channel in json.loads(path.read_text())["channels"].items():
                topic = channel["address"]
                service = _service_of(topic)
                if service is None or not title.startswith(f"billing.{service}."):
                    raise ValueError(f"{path.name}: channel {title} on {topic} is not one of ours")
                name, _, version = title.removeprefix(f"billing.{service}.").rpartition(".v")
                types = topics.setdefault(topic, {})
                types[name] = max(types.get(name, 0), int(version))
        return cls(topics)

    def require(self, topics: Iterable[str]) -> None:
        absent = sorted(t for t in topics if t not in self._topics)
        if absent:
            raise ValueError(f"no published event contract for {', '.join(absent)} (run `make asyncapi`)")

    def check(self, topic: str, headers: CloudEventHeaders) -> None:
        """Raise `InvalidEvent` unless the message is an event of `topic`'s contract."""
        known = self._topics.get(topic)
        service = _service_of(topic)
        if known is None or service is None:
            raise InvalidEvent(f"no contract for topic {topic}")
        if headers.stream_version < 1:
            raise InvalidEvent(f"stream version {headers.stream_version} (versions start at 1)")
        if headers.source != f"/billing/{service}":
            raise InvalidEvent(f"ce_source {headers.source} does not publish on {topic}")
        if headers.type != ce_type(service, headers.event_type, headers.schema_version):
            raise InvalidEvent(f"ce_type {headers.type} disagrees with ce_eventtype {headers.event_type}"
                               f" and ce_schemaversion {headers.schema_version}")
        newest = known.get(headers.event_type)
        if newest is None:
            raise InvalidEvent(f"{headers.type} is not in the contract of {topic}")
        if not 1 <= headers.schema_version <= newest:
            raise InvalidEvent(f"{headers.type}: the contract of {topic} publishes up to v{newest}")


@functools.cache
def published_contract() -> EventContract:
    """The contracts in the repository's `docs/asyncapi` (read once per process)."""
    return EventContract.from_documents(DOCUMENTS)
