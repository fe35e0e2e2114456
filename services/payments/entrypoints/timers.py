"""The payments service's durable timers: promised-payment expiry and the autopay charge."""

from __future__ import annotations

from collections.abc import Callable

from services.payments.application.autopay import CHARGE, prepare_charge
from services.payments.application.context import Payments
from services.payments.application.promised_payments import EXPIRE, expire_promised_payment
from shared.db import Connection
from shared.scheduler import AfterCommit, DueTimer, Handler

__all__ = ["timer_handlers"]


def timer_handlers(payments: Callable[[], Payments]) -> dict[str, Handler]:
    async def expire(conn: Connection, timer: DueTimer) -> AfterCommit | None:
        await expire_promised_payment(payments(), timer.payload["account_id"], timer.payload["promised_payment_id"])
        return None

    async def charge(conn: Connection, timer: DueTimer) -> AfterCommit | None:
        return await prepare_charge(payments(), conn, timer)

    return {EXPIRE: expire, CHARGE: charge}
