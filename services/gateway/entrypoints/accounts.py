"""The cabinet's money pages of an account: /api/v1/accounts/{account_id}/balance and /payments."""

from __future__ import annotations

from datetime import date, datetime
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

__all__ = ["AccountsController", "history_bounds"]


_FROM = ("first day (YYYY-MM-DD, the operator's time zone), at most 12 months back"
         " (else 400 request.date_range_too_old); default: 12 months back")
_TO = "last day, included; at most 12 months back like `from` (else 400 request.date_range_too_old)"


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
        date_from: Annotated[date | None, Parameter(query="from", default=None, description=_FROM)],
        date_to: Annotated[date | None, Parameter(query="to", default=None, description=_TO)],
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        start, end = history_bounds(date_from, date_to, local_date(clock.now(), timezone), timezone)
        return await payment_history(reads, account, start=start, end=end, limit=limit, offset=offset)


def history_bounds(date_from: date | None, date_to: date | None, today: date,
                   timezone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The instants a history period covers, once its days pass the cabinet's rules (422 else)."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("request.invalid_date_range", "'from' is after 'to'")
    # The cabinet shows the last 12 months (seeds 000, 004): one rule for both bounds, a day
    # before that is refused whichever bound names it (an open `from` starts there).
    earliest = twelve_months_before(today)
    for name, bound in (("from", date_from), ("to", date_to)):
        if bound is not None and bound < earliest:
            raise ValidationFailed("request.date_range_too_old",
                                   f"payment history goes back 12 months, to {earliest.isoformat()};"
                                   f" '{name}' is {bound.isoformat()}",
                                   earliest=earliest.isoformat(), field=name)
    return day_bounds(date_from or earliest, date_to, timezone)
