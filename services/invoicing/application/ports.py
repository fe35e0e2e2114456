"""What the use cases need from the service's own tables (adapters/tables.py implements them). Every
method takes the connection of the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from services.invoicing.domain.page import PostedLine
from services.invoicing.domain.plan import AccountPlan
from shared.db import Connection

__all__ = ["BillRun", "BillRuns", "ChargeLines", "InvoiceRecord", "Invoices", "Plans", "PostingQueue", "QueuedAccount",
           "RecordedLine"]


@dataclass(frozen=True)
class RecordedLine:
    """A posted ChargePosted with how the page names it."""

    charge_id: str
    account_id: str
    period: date
    line: PostedLine
    description: str
    total: Decimal
    posted_at: datetime


@dataclass(frozen=True)
class QueuedAccount:
    account_id: str
    correlation_id: str | None
    failures: int = 0


@dataclass(frozen=True)
class InvoiceRecord:
    invoice_id: str
    account_id: str
    period: date
    series: str
    seq: int
    number: str
    payment_form: str
    net: Decimal
    vat: Decimal
    other_tax: Decimal
    total: Decimal
    issued_at: datetime
    due_on: date
    subscribers: list[dict[str, str]]
    bill_run: date | None


@dataclass(frozen=True)
class BillRun:
    period: date
    started_at: datetime
    accounts_total: int
    cursor: str
    done: int
    issued: int
    finished_at: datetime | None


class Plans(Protocol):
    async def load(self, conn: Connection, account_id: str, *, for_update: bool = False) -> AccountPlan | None:
        """The account's plan as accounts' facts made it (None: never heard of)."""

    async def load_many(self, conn: Connection, account_ids: Sequence[str]) -> dict[str, AccountPlan]:
        """`load` for a batch of accounts: those known."""

    async def in_service(self, conn: Connection, first: date, last: date, after: str, limit: int) -> list[str]:
        """Accounts in service on some day of first..last, in id order after `after`."""

    async def count_in_service(self, conn: Connection, first: date, last: date) -> int: ...


class PostingQueue(Protocol):
    async def add(self, conn: Connection, account_id: str, at: datetime, correlation_id: str | None) -> None: ...

    async def add_in_service(self, conn: Connection, day: date, at: datetime,
                             daily_tariffs: list[str] | None = None) -> int:
        """Queue the accounts in service on `day` (a day began): all of them, or with `daily_tariffs`
        only those that had one of these tariffs or have a block starting that day."""

    async def claim(self, conn: Connection, limit: int, now: datetime) -> list[QueuedAccount]:
        """Take (and delete, until the transaction commits) up to `limit` queued accounts due by `now`
        that others did not take."""

    async def retry_later(self, conn: Connection, queued: QueuedAccount, at: datetime, not_before: datetime) -> None:
        """Queue again an account whose posting failed, not before `not_before`."""


class ChargeLines(Protocol):
    async def record(self, conn: Connection, lines: Sequence[RecordedLine]) -> None: ...

    async def of_period(self, conn: Connection, account_id: str, period: date) -> list[RecordedLine]: ...

    async def history(self, conn: Connection, account_id: str, start: datetime, end: datetime | None,
                      limit: int, offset: int) -> list[dict[str, Any]]:
        """Lines posted from `start` (to `end`), newest first, each with `total_count` (all matching)."""


class Invoices(Protocol):
    async def take_numbers(self, conn: Connection, series: str, count: int) -> int:
        """The first of the series' next `count` numbers, its counter row locked until the transaction
        ends (gapless)."""

    async def insert_many(self, conn: Connection, invoices: Sequence[InvoiceRecord]) -> set[str]:
        """The accounts whose invoice was inserted: not those that already had their regular invoice
        for the period (the constraint)."""

    async def of_account(self, conn: Connection, account_id: str) -> list[dict[str, Any]]: ...


class BillRuns(Protocol):
    async def start(self, conn: Connection, period: date, at: datetime, accounts_total: int,
                    not_before: datetime) -> bool: ...

    async def claim_open(self, conn: Connection, now: datetime, period: date | None = None) -> BillRun | None:
        """An unfinished run due by `now`, locked until the transaction ends (one batch at a time per run)."""

    async def advance(self, conn: Connection, period: date, cursor: str, done: int, issued: int,
                      finished_at: datetime | None) -> None: ...

    async def status(self, conn: Connection, period: date) -> BillRun | None: ...
