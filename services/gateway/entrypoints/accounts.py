"""The cabinet's account routes: /api/v1/accounts/{account_id}/..."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.params import Parameter

from services.gateway.auth import Caller
from services.gateway.queries import account_balance, day_bounds, payment_history, twelve_months_before
from shared.clock import Clock
from shared.db import Pool
from shared.errors import NotFound, ValidationFailed

__all__ = ["AccountsController"]

ACCOUNT_ID = Parameter(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", description="personal account id")


def _visible(caller: Caller, account_id: str) -> None:
    # A foreign account answers exactly like a missing one: no data, no hint it exists.
    if not caller.may_see(account_id):
        raise NotFound("account.not_found", f"account {account_id} not found")


class AccountsController(Controller):
    path = "/api/v1/accounts/{account_id:str}"
    tags = ["accounts"]

    @get("/balance", summary="Balance of a personal account")
    async def balance(self, account_id: Annotated[str, ACCOUNT_ID], caller: Caller, pool: Pool) -> dict[str, Any]:
        _visible(caller, account_id)
        found = await account_balance(pool, account_id)
        if found is None:
            raise NotFound("account.not_found", f"account {account_id} not found")
        return found

    @get("/payments", summary="Payment history, newest first")
    async def payments(
        self,
        account_id: Annotated[str, ACCOUNT_ID],
        caller: Caller,
        pool: Pool,
        timezone: ZoneInfo,
        clock: Clock,
        date_from: Annotated[date | None, Parameter(query="from", default=None)],
        date_to: Annotated[date | None, Parameter(query="to", default=None)],
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        _visible(caller, account_id)
        if date_from and date_to and date_from > date_to:
            raise ValidationFailed("request.invalid_date_range", "'from' is after 'to'")
        # The cabinet shows the last 12 months (seeds 000, 004).
        earliest = twelve_months_before(clock.now().astimezone(timezone).date())
        if date_from is not None and date_from < earliest:
            raise ValidationFailed("request.date_range_too_old",
                                   f"payment history goes back 12 months, to {earliest.isoformat()}",
                                   earliest=earliest.isoformat())
        start, end = day_bounds(date_from or earliest, date_to, timezone)
        return await payment_history(pool, account_id, start=start, end=end, limit=limit, offset=offset)
