"""Available funds per account (docs/events.md "Money seen the same way everywhere"): the opening
balance from our own AccountOpened, payments and promised credit from billing.payments.events
(invoicing's charges join later). Other services' events are read by contract: our own models of
the payload fields, never their classes. Every change asks for a funds check (application/funds.py)
in the same transaction. Only this projection writes `available_funds`, so `billing rebuild` can
rebuild it from the two stores."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.accounts.application.funds import AVAILABLE_FUNDS, request_funds_check
from shared.clock import Clock, SystemClock
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["AvailableFunds"]


class _Movement(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str
    amount: Decimal = Decimal("0")
    withdrawn: Decimal = Decimal("0")


#: How each payments event moves available funds.
_EFFECT = {
    "PaymentRegistered": lambda m: m.amount,
    "PaymentReversed": lambda m: -m.amount,
    "PromisedPaymentTaken": lambda m: m.amount,
    # The payment that repaid it was counted already; the credit it repaid goes back.
    "PromisedPaymentRepaid": lambda m: -m.amount,
    "PromisedPaymentExpired": lambda m: -m.withdrawn,
}


class _Opened(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str
    opening_balance: Decimal = Decimal("0")


class AvailableFunds:
    name = AVAILABLE_FUNDS
    topics = (topic_for("accounts"), topic_for("payments"))
    tables = ("available_funds",)

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if event.event_type == "AccountOpened" and event.source == "/billing/accounts":
            await self._opened(conn, _Opened.model_validate(event.payload))
            return
        effect = _EFFECT.get(event.event_type)
        if effect is None or event.source != "/billing/payments":
            return
        movement = _Movement.model_validate(event.payload)
        now = self.clock.now()
        await conn.execute(
            "INSERT INTO available_funds (account_id, movements, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (account_id) DO UPDATE SET movements = available_funds.movements + excluded.movements,"
            " updated_at = excluded.updated_at",
            movement.account_id, effect(movement), now,
        )
        await request_funds_check(conn, movement.account_id, now)

    async def _opened(self, conn: Connection, opened: _Opened) -> None:
        now = self.clock.now()
        await conn.execute(
            "INSERT INTO available_funds (account_id, opening_balance, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (account_id) DO UPDATE SET opening_balance = excluded.opening_balance,"
            " updated_at = excluded.updated_at",
            opened.account_id, opened.opening_balance, now,
        )
        await request_funds_check(conn, opened.account_id, now)
