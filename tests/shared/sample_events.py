"""Events used by the kernel's tests (the kernel knows no business events of its own)."""

from __future__ import annotations

from decimal import Decimal

from shared.aggregate import Aggregate
from shared.errors import DomainError
from shared.events import DomainEvent, registry


@registry.register
class CounterIncremented(DomainEvent, type="test.CounterIncremented", version=1):
    account_id: str
    by: int = 1


@registry.register
class AmountCredited(DomainEvent, type="test.AmountCredited", version=1):
    account_id: str
    amount: Decimal


class Counter(Aggregate):
    stream_type = "Counter"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.value = 0

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, CounterIncremented):
            self.value += event.by

    def increment_once(self, account_id: str) -> list[DomainEvent]:
        """A rule: the counter may be incremented only from zero (tests 'exactly one wins')."""
        if self.value >= 1:
            raise DomainError("counter.already_incremented", "already incremented")
        return [CounterIncremented(account_id=account_id)]


class SnapshottingCounter(Counter):
    stream_type = "SnapshottingCounter"
    snapshot_every = 3

    def snapshot_state(self) -> dict[str, int]:
        return {"value": self.value}

    def restore_state(self, state: dict[str, int]) -> None:
        self.value = state["value"]
