"""Aggregates: state rebuilt from one stream, deciding new events. Pure: no I/O."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from shared.events import DomainEvent

__all__ = ["Aggregate"]


class Aggregate(ABC):
    """State rebuilt from a stream. Subclasses set `stream_type` and implement `apply`."""

    stream_type: ClassVar[str]

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
