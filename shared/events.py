"""Domain events: immutable, versioned pydantic models, a registry by (type, version), upcasters.

An event class declares its business name and schema version:

    class PaymentRegistered(DomainEvent, type="PaymentRegistered", version=1):
        account_id: str
        amount: Decimal

Events are public API. New fields get defaults; a changed meaning is a new version, and the old
version gets an upcaster registered next to the new class, so stored payloads never change.
JSON keeps Decimal exact (as a string) and datetimes with their offset.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["DomainEvent", "EventRegistry", "UnknownEventType", "registry"]

E = TypeVar("E", bound=type["DomainEvent"])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    pass


class DomainEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int]

    def __init_subclass__(cls, *, type: str | None = None, version: int = 1, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if type is not None:
            cls.event_type = type
            cls.schema_version = version

    @property
    def partition_key(self) -> str | None:
        """The account the event is about: the Kafka key and the CloudEvents subject."""
        value = getattr(self, "account_id", None)
        return str(value) if value is not None else None

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def payload_json(self) -> str:
        """`to_payload` as JSON text (for batches: no dict in between)."""
        return self.model_dump_json()


class EventRegistry:
    def __init__(self) -> None:
        self._classes: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, cls: E) -> E:
        existing = self._classes.get(cls.event_type)
        if existing is not None and existing is not cls:
            raise ValueError(f"event type {cls.event_type} registered twice")
        self._classes[cls.event_type] = cls
        return cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning a payload of `from_version` into `from_version + 1`."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            return fn

        return decorate

    def cls_for(self, event_type: str) -> type[DomainEvent]:
        try:
            return self._classes[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def classes(self) -> list[type[DomainEvent]]:
        return list(self._classes.values())

    def knows(self, event_type: str) -> bool:
        return event_type in self._classes

    def load(self, event_type: str, schema_version: int, payload: dict[str, Any]) -> DomainEvent:
        cls = self.cls_for(event_type)
        version = schema_version
        while version < cls.schema_version:
            try:
                payload = self._upcasters[(event_type, version)](dict(payload))
            except KeyError:
                raise UnknownEventType(f"{event_type} v{version}: no upcaster") from None
            version += 1
        if version != cls.schema_version:
            raise UnknownEventType(f"{event_type} v{schema_version} is newer than this code")
        return cls.model_validate(payload)

    def loads(self, event_type: str, schema_version: int, raw: bytes | str) -> DomainEvent:
        return self.load(event_type, schema_version, json.loads(raw))


#: The process-wide registry every service registers its events in.
registry = EventRegistry()
