"""The ports of the payments use cases: what they need from the world, implemented by adapters
(payment providers, the service's tables of state) and by the projection of accounts' events
(account facts), wired in app.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from services.payments.domain.facts import AccountFacts
from services.payments.domain.providers import ChargeResult, TopUp
from shared.db import Connection

__all__ = [
    "AccountFactsSource",
    "AutopayAmounts",
    "CheckoutProvider",
    "MethodCharger",
    "PaymentProviders",
    "SavedMethods",
    "TopUps",
]


class CheckoutProvider(Protocol):
    name: str

    def checkout_url(self, top_up: TopUp) -> str:
        """Where the cabinet sends the subscriber to pay `top_up`."""
        ...


class MethodCharger(Protocol):
    name: str

    async def charge(self, token: str, amount: Decimal, idempotency_key: str) -> ChargeResult:
        """Charge a saved payment method; the same key never charges twice (providers dedupe)."""
        ...


class PaymentProviders(Protocol):
    """The providers a process runs with (settings pick them)."""

    def checkout(self, name: str) -> CheckoutProvider:
        """The provider that collects a top-up, or `top_up.provider_unavailable`."""
        ...

    def charger(self, name: str) -> MethodCharger:
        """The provider that charges a saved method, or `autopay.provider_unsupported`."""
        ...


class AccountFactsSource(Protocol):
    """The account as the accounts service and invoicing last told us (their events, projected locally)."""

    async def load(self, conn: Connection, account_id: str, today: date, next_period: date) -> AccountFacts | None:
        """The account's facts with its fees as invoicing forecasts them for the period of `today`
        and for the period starting `next_period`, and its charges; None if the accounts service
        never told us of it."""
        ...


class TopUps(Protocol):
    """Top-ups waiting for their provider's callback, by invoice number (what providers send back)."""

    async def next_invoice_id(self, conn: Connection) -> int: ...

    async def remember(self, conn: Connection, top_up: TopUp, started_at: datetime) -> None: ...

    async def find(self, conn: Connection, invoice_id: int) -> TopUp | None: ...


class SavedMethods(Protocol):
    """Autopay's saved payment methods: the provider's token is kept here only, never in an event."""

    async def save(self, conn: Connection, account_id: str, provider: str, token: str, masked: str,
                   saved_at: datetime) -> None: ...

    async def forget(self, conn: Connection, account_id: str) -> None: ...

    async def token(self, conn: Connection, account_id: str) -> str | None: ...


class AutopayAmounts(Protocol):
    """The amount autopay charges for an account and period, fixed at the first decision."""

    async def decided(self, conn: Connection, key: str) -> Decimal | None: ...

    async def decide(self, conn: Connection, key: str, account_id: str, period: str, amount: Decimal,
                     decided_at: datetime) -> Decimal:
        """Record `amount` unless a decision under `key` exists; answer the one recorded."""
        ...
