"""What every use case of the payments service works with, wired once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.payments.application.ports import (
    AccountFactsSource,
    AutopayAmounts,
    PaymentProviders,
    SavedMethods,
    TopUps,
)
from services.payments.domain.facts import AccountFacts
from shared.calendar import local_date, next_period
from shared.clock import Clock
from shared.db import Pool
from shared.errors import NotFound
from shared.eventstore import EventStore

__all__ = ["Payments", "facts_for", "required_facts"]


@dataclass(frozen=True)
class Payments:
    store: EventStore
    clock: Clock
    tz: ZoneInfo
    providers: PaymentProviders
    facts: AccountFactsSource
    top_ups: TopUps
    saved_methods: SavedMethods
    autopay_amounts: AutopayAmounts
    #: Largest promised payment; None: the account's monthly fee.
    promised_payment_cap: Decimal | None = None

    @property
    def pool(self) -> Pool:
        return self.store.pool


async def facts_for(ctx: Payments, account_id: str, next_period_starts: date | None = None) -> AccountFacts | None:
    """The account as the accounts service last told us (None if it never did)."""
    now = ctx.clock.now()
    first_day = next_period_starts or next_period(now, ctx.tz).first_day
    async with ctx.pool.acquire() as conn:
        return await ctx.facts.load(conn, account_id, local_date(now, ctx.tz), first_day)


async def required_facts(ctx: Payments, account_id: str) -> AccountFacts:
    facts = await facts_for(ctx, account_id)
    if facts is None:
        raise NotFound("account.not_found", f"account {account_id} is not known to the payments service")
    return facts
