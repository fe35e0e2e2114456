"""The invoicing service's durable timers: a business day begins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from services.invoicing.application.context import Invoicing
from services.invoicing.application.days import DAY, begin_day
from shared.db import Connection
from shared.scheduler import AfterCommit, DueTimer, Handler

__all__ = ["timer_handlers"]


def timer_handlers(invoicing: Callable[[], Invoicing]) -> dict[str, Handler]:
    async def day_began(conn: Connection, timer: DueTimer) -> AfterCommit | None:
        await begin_day(invoicing(), conn, date.fromisoformat(timer.payload["day"]))
        return None

    return {DAY: day_began}
