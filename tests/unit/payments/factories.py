"""Account facts and aggregates for the payments rules' unit tests (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.payments.domain.account import PaymentAccount, PaymentRequest, stream_id_for
from services.payments.domain.facts import AccountFacts
from shared.events import DomainEvent

MINSK = ZoneInfo("Europe/Minsk")
OPENED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def facts(**changes: object) -> AccountFacts:
    values: dict[str, object] = {
        "account_id": "1015", "opened_at": OPENED, "payment_form": "prepaid", "opening_balance": Decimal("0.00"),
        "monthly_fee": Decimal("25.00"), "next_period_fee": Decimal("25.00"),
    }
    values.update(changes)
    return AccountFacts(**values)  # type: ignore[arg-type]


def account(*events: DomainEvent) -> PaymentAccount:
    aggregate = PaymentAccount(stream_id_for("1015"))
    aggregate.replay(list(events))
    return aggregate


def decide(aggregate: PaymentAccount, events: list[DomainEvent]) -> list[DomainEvent]:
    """Apply what a decision returned, as `execute` does after appending."""
    aggregate.replay(events)
    return events


def payment(amount: str, external_id: str = "cash-1", at: datetime = OPENED) -> PaymentRequest:
    return PaymentRequest("1015", Decimal(amount), "cash", external_id, at)


def day(text: str) -> date:
    return date.fromisoformat(text)
