"""What every use case of the payments service works with, wired once by the composition root."""

from __future__ import annotations

import asyncio
import time
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
    #: How long a command waits for an account its projection does not know yet (accounts' events
    #: reach payments within about 100 ms of the account's opening) before `account.not_found`.
    unknown_account_wait_s: float = 1.0

    @property
    def pool(self) -> Pool:
        return self.store.pool


async def facts_for(ctx: Payments, account_id: str, next_period_starts: date | None = None) -> AccountFacts | None:
    """The account as the accounts service last told us (None if it never did)."""
    now = ctx.clock.now()
    first_day = next_period_starts or next_period(now, ctx.tz).first_day
    async with ctx.pool.acquire() as conn:
        return await ctx.facts.load(conn, account_id, local_date(now, ctx.tz), first_day)


#: How often the projection is read again while waiting for an account (about 10 reads for an
#: account that does not exist: a flood of unknown ids costs the database little).
_POLL_S = 0.1


async def required_facts(ctx: Payments, account_id: str) -> AccountFacts:
    """The account's facts, or 404 `account.not_found`: no account the accounts service never told
    us of takes money. One opened a moment ago may not have reached the projection yet, so an
    unknown account is looked up again for up to `unknown_account_wait_s` before the refusal (which
    says so: a client that has just opened the account may retry)."""
    deadline = time.monotonic() + ctx.unknown_account_wait_s
    while (facts := await facts_for(ctx, account_id)) is None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise NotFound("account.not_found", f"account {account_id} is not known to the payments service"
                           " (an account opened moments ago may not have reached it yet: retry)")
        await asyncio.sleep(min(_POLL_S, left))
    return facts
