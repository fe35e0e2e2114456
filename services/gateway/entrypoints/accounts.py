"""The cabinet's money pages of an account: /api/v1/accounts/{account_id}/balance and /payments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.params import Parameter

from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController, Page, RawAccountId
from services.gateway.projections.cabinet_payments_queries import account_balance_read, payment_history
from shared.calendar import day_bounds, local_date, twelve_months_before
from shared.clock import Clock
from shared.db import Pool
from shared.errors import ValidationFailed
from shared.openapi import answers

__all__ = ["AccountsController"]


class AccountsController(AccountController):
    tags = ["accounts"]

    @get("/balance", summary="Balance of a personal account", responses=answers(200, a.Balance))
    async def balance(self, request: Request[Any, Any, Any], account_id: RawAccountId) -> dict[str, Any]:
        """One read answers it all: the session check, who may see the account, the page."""
        page = Page.of(request)
        caller = page.caller(request)
        read = await account_balance_read(page.reads, account_id, caller.session_id)
        return page.admit(request, caller, account_id, read)

    @get("/payments", summary="Payment history, newest first", responses=answers(200, a.PaymentHistory))
    async def payments(
        self,
        account: str,
        reads: Pool,
        timezone: ZoneInfo,
        clock: Clock,
        date_from: Annotated[date | None, Parameter(query="from", default=None)],
        date_to: Annotated[date | None, Parameter(query="to", default=None)],
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        if date_from and date_to and date_from > date_to:
            raise ValidationFailed("request.invalid_date_range", "'from' is after 'to'")
        # The cabinet shows the last 12 months (seeds 000, 004).
        earliest = twelve_months_before(local_date(clock.now(), timezone))
        if date_from is not None and date_from < earliest:
            raise ValidationFailed("request.date_range_too_old",
                                   f"payment history goes back 12 months, to {earliest.isoformat()}",
                                   earliest=earliest.isoformat())
        start, end = day_bounds(date_from or earliest, date_to, timezone)
        return await payment_history(reads, account, start=start, end=end, limit=limit, offset=offset)
