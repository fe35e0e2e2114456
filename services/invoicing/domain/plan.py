"""What invoicing knows of an account to charge it: its lines with their tariffs over time, add-ons,
voluntary blocks, when it was opened and closed, and its subscribers' names over time.

Built from accounts' facts (projections/account_plans.py reads their payloads and calls these
methods); kept as one JSON document per account. Pure: days come in as arguments (the operator's
local days of the facts)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AccountPlan", "AddOnTerm", "BlockFacts", "LineFacts", "TariffTerm"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TariffTerm(_Model):
    """A line's tariff from `from_day` on (until the next term)."""

    from_day: date
    tariff_id: str
    name: str
    monthly_fee: Decimal  # gross
    vat_rate: Decimal


class NameTerm(_Model):
    from_day: date
    name: str


class LineFacts(_Model):
    line_id: str
    kind: str
    identifier: str
    started_on: date
    tariffs: list[TariffTerm]
    names: list[NameTerm]

    def tariff_on(self, day: date) -> TariffTerm | None:
        current = None
        for term in self.tariffs:
            if term.from_day <= day:
                current = term
        return current if day >= self.started_on else None

    def name_on(self, day: date) -> str:
        """The subscriber's last name given on or before `day` (the invoice shows the month's last)."""
        current = self.names[0].name
        for term in self.names:
            if term.from_day <= day:
                current = term.name
        return current


class AddOnTerm(_Model):
    """An add-on on a line from `from_day` until `until_day` (exclusive: the day it was removed)."""

    line_id: str
    service_id: str
    name: str
    monthly_fee: Decimal  # gross
    from_day: date
    until_day: date | None = None

    @property
    def item(self) -> str:
        return f"add-on:{self.line_id}:{self.service_id}"


class BlockFacts(_Model):
    block_id: str
    starts_on: date
    ends_on: date  # inclusive
    fee: Decimal
    cancelled: bool = False
    #: The last blocked day when the block ended early (service resumed the day after).
    ended_early_on: date | None = None

    @property
    def last_day(self) -> date:
        return self.ended_early_on if self.ended_early_on is not None else self.ends_on

    def covers(self, day: date) -> bool:
        return not self.cancelled and self.starts_on <= day <= self.last_day


class AccountPlan(_Model):
    account_id: str
    opened_on: date | None = None
    payment_form: str = "prepaid"
    #: The last day of service (inclusive) of a closed account.
    closed_on: date | None = None
    lines: dict[str, LineFacts] = Field(default_factory=dict)
    add_ons: list[AddOnTerm] = Field(default_factory=list)
    blocks: dict[str, BlockFacts] = Field(default_factory=dict)

    # -- facts ------------------------------------------------------------------------------------
    def open(self, on: date, payment_form: str) -> None:
        self.opened_on, self.payment_form = on, payment_form

    def add_line(self, line_id: str, kind: str, identifier: str, name: str, on: date, tariff: TariffTerm) -> None:
        if line_id in self.lines:
            return
        self.lines[line_id] = LineFacts(line_id=line_id, kind=kind, identifier=identifier, started_on=on,
                                        tariffs=[tariff], names=[NameTerm(from_day=on, name=name)])

    def change_tariff(self, line_id: str, tariff: TariffTerm) -> None:
        """From `tariff.from_day` on; a change dated later that was waiting is replaced by it."""
        line = self.lines.get(line_id)
        if line is None:
            return
        line.tariffs = [t for t in line.tariffs if t.from_day < tariff.from_day] + [tariff]

    def rename(self, line_id: str, name: str, on: date) -> None:
        line = self.lines.get(line_id)
        if line is not None:
            line.names = [n for n in line.names if n.from_day <= on] + [NameTerm(from_day=on, name=name)]

    def connect_add_on(self, term: AddOnTerm) -> None:
        if any(a.item == term.item and a.until_day is None for a in self.add_ons):
            return
        self.add_ons.append(term)

    def disconnect_add_on(self, line_id: str, service_id: str, on: date) -> None:
        for term in self.add_ons:
            if term.line_id == line_id and term.service_id == service_id and term.until_day is None:
                term.until_day = max(on, term.from_day)

    def schedule_block(self, block: BlockFacts) -> None:
        self.blocks.setdefault(block.block_id, block)

    def cancel_block(self, block_id: str) -> None:
        if block_id in self.blocks:
            self.blocks[block_id].cancelled = True

    def end_block(self, block_id: str, resumed_on: date) -> None:
        """Ended (early or on time) with service again from `resumed_on`."""
        block = self.blocks.get(block_id)
        if block is not None and resumed_on <= block.ends_on:
            block.ended_early_on = max(block.starts_on - timedelta(days=1), resumed_on - timedelta(days=1))

    def close(self, on: date) -> None:
        if self.closed_on is None:
            self.closed_on = on

    # -- questions ----------------------------------------------------------------------------------
    def in_service(self, day: date) -> bool:
        if self.opened_on is not None and day < self.opened_on:
            return False
        return self.closed_on is None or day <= self.closed_on

    def blocked(self, day: date) -> bool:
        return any(block.covers(day) for block in self.blocks.values())

    def tariff_ids(self) -> list[str]:
        return sorted({term.tariff_id for line in self.lines.values() for term in line.tariffs})

    def block_starts(self) -> list[date]:
        return sorted({b.starts_on for b in self.blocks.values() if not b.cancelled})

    def main_vat_rate(self) -> Decimal:
        """The rate of the account's first line (for charges of the whole account: a block's fee)."""
        for line in self.lines.values():
            return line.tariffs[0].vat_rate
        return Decimal("0")
