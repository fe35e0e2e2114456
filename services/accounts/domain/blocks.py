"""Voluntary blocks of a personal account (seeds 000, 002): the rules, pure.

A subscriber may pause service for `min_days`..`max_days` days (the seed: 14 to 180), starting
today or later, a limited number of times per calendar year (the seed: "Доступно блокировок: 1"),
never while a financial block is on, never overlapping another block. A scheduled block can be
cancelled before it starts; a running one can be lifted early. Start and end are fired by timers.
`ends_on` is inclusive: a 14-day block from 2019-09-27 covers 09-27..10-10 and service resumes on
10-11, the date the seed shows as the block's end.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from services.accounts.domain.events import (
    BlockCancelled,
    BlockEnded,
    BlockScheduled,
    BlockStarted,
    BlockTerms,
)
from shared.errors import DomainError, NotFound, ValidationFailed
from shared.events import DomainEvent

__all__ = ["BlockState", "VoluntaryBlock", "VoluntaryBlocks"]

BlockState = Literal["scheduled", "active", "ended", "cancelled"]
#: How far ahead a block may be booked.
MAX_LEAD = timedelta(days=365)


@dataclass(frozen=True)
class VoluntaryBlock:
    block_id: str
    starts_on: date
    ends_on: date
    days: int
    fee: str
    state: BlockState = "scheduled"

    @property
    def resumes_on(self) -> date:
        return self.ends_on + timedelta(days=1)

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return starts_on <= self.ends_on and self.starts_on <= ends_on


class VoluntaryBlocks:
    """An account's blocks, rebuilt from its events; decides the block commands."""

    def __init__(self) -> None:
        self.blocks: dict[str, VoluntaryBlock] = {}

    def apply(self, event: DomainEvent) -> None:
        match event:
            case BlockScheduled():
                self.blocks[event.block_id] = VoluntaryBlock(
                    event.block_id, event.starts_on, event.ends_on, event.days, str(event.fee)
                )
            case BlockCancelled():
                self._set(event.block_id, "cancelled")
            case BlockStarted():
                self._set(event.block_id, "active")
            case BlockEnded():
                self._set(event.block_id, "ended")

    def _set(self, block_id: str, state: BlockState) -> None:
        if block_id in self.blocks:
            self.blocks[block_id] = replace(self.blocks[block_id], state=state)

    @property
    def active(self) -> VoluntaryBlock | None:
        return next((b for b in self.blocks.values() if b.state == "active"), None)

    def used_in(self, year: int) -> int:
        return sum(1 for b in self.blocks.values() if b.state != "cancelled" and b.starts_on.year == year)

    def available(self, terms: BlockTerms | None, today: date) -> int:
        return max(0, terms.yearly_quota - self.used_in(today.year)) if terms else 0

    def schedule(
        self,
        account_id: str,
        block_id: str,
        starts_on: date,
        days: int,
        *,
        terms: BlockTerms | None,
        today: date,
        financially_blocked: bool,
    ) -> list[DomainEvent]:
        if terms is None or terms.yearly_quota <= 0:
            raise DomainError("block.not_offered", "voluntary blocks are not offered on this account's tariff")
        if not terms.min_days <= days <= terms.max_days:
            raise ValidationFailed(
                "block.period_out_of_range",
                f"a block lasts from {terms.min_days} to {terms.max_days} days, not {days}",
                min_days=terms.min_days, max_days=terms.max_days,
            )
        if starts_on < today:
            raise ValidationFailed("block.starts_in_past", f"a block starts today ({today}) or later")
        if starts_on > today + MAX_LEAD:
            raise ValidationFailed("block.starts_too_late", "a block can be booked at most a year ahead")
        if financially_blocked:
            raise DomainError(
                "block.financially_blocked", "a voluntary block is not available while a financial block is on"
            )
        ends_on = starts_on + timedelta(days=days - 1)
        if self.used_in(starts_on.year) >= terms.yearly_quota:
            raise DomainError(
                "block.quota_used_up",
                f"all {terms.yearly_quota} voluntary block(s) of {starts_on.year} are used",
                yearly_quota=terms.yearly_quota,
            )
        clash = next(
            (b for b in self.blocks.values()
             if b.state in ("scheduled", "active") and b.overlaps(starts_on, ends_on)),
            None,
        )
        if clash is not None:
            raise DomainError(
                "block.overlaps",
                f"the period overlaps block {clash.block_id} ({clash.starts_on}..{clash.ends_on})",
                block_id=clash.block_id,
            )
        return [BlockScheduled(account_id=account_id, block_id=block_id, starts_on=starts_on,
                               ends_on=ends_on, days=days, fee=terms.fee)]

    def _get(self, block_id: str) -> VoluntaryBlock:
        try:
            return self.blocks[block_id]
        except KeyError:
            raise NotFound("block.not_found", f"block {block_id} not found") from None

    def cancel(self, account_id: str, block_id: str) -> list[DomainEvent]:
        block = self._get(block_id)
        if block.state == "cancelled":
            return []
        if block.state != "scheduled":
            raise DomainError("block.already_started", "a block that has started can only be lifted early")
        return [BlockCancelled(account_id=account_id, block_id=block_id)]

    def lift(self, account_id: str, block_id: str, now: datetime) -> list[DomainEvent]:
        block = self._get(block_id)
        if block.state != "active":
            raise DomainError("block.not_active", f"block {block_id} is {block.state}, not running")
        return [BlockEnded(account_id=account_id, block_id=block_id, at=now, early=True)]

    def start(self, account_id: str, block_id: str, now: datetime) -> list[DomainEvent]:
        """The start timer fired: start it unless it was cancelled (or already started)."""
        block = self.blocks.get(block_id)
        if block is None or block.state != "scheduled":
            return []
        return [BlockStarted(account_id=account_id, block_id=block_id, at=now)]

    def end(self, account_id: str, block_id: str, now: datetime) -> list[DomainEvent]:
        """The end timer fired: end it if running (start it first if its start never fired)."""
        block = self.blocks.get(block_id)
        if block is None or block.state in ("ended", "cancelled"):
            return []
        events: list[DomainEvent] = []
        if block.state == "scheduled":
            events.append(BlockStarted(account_id=account_id, block_id=block_id, at=now))
        events.append(BlockEnded(account_id=account_id, block_id=block_id, at=now, early=False))
        return events
