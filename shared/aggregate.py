"""Aggregates: state rebuilt from one stream, deciding new events. Pure: no I/O."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from shared.events import DomainEvent

__all__ = ["Aggregate"]


class Aggregate(ABC):
    """State rebuilt from a stream. Subclasses set `stream_type` and implement `apply`.

    Long streams may opt into snapshots: set `snapshot_every` and implement `snapshot_state` /
    `restore_state` (JSON-able state; bump `snapshot_schema` when its shape changes, and older
    snapshots are ignored: the events are always the truth)."""

    stream_type: ClassVar[str]
    snapshot_every: ClassVar[int | None] = None
    snapshot_schema: ClassVar[int] = 1

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        self.version = 0

    @abstractmethod
    def apply(self, event: DomainEvent) -> None:
        """Change state by one event; never fails, never decides."""

    def replay(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            self.apply(event)
            self.version += 1

    def snapshot_state(self) -> dict[str, Any]:
        raise TypeError(f"{type(self).__name__} does not take snapshots")

    def restore_state(self, state: dict[str, Any]) -> None:
        raise TypeError(f"{type(self).__name__} does not take snapshots")
