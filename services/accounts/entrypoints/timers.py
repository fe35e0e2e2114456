"""Durable timers of the accounts service: block start and end, funds checks. Each fires an
ordinary command that decides from state, so firing twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from services.accounts.application.blocks import BLOCK_END, BLOCK_START, end_block, start_block
from services.accounts.application.context import Accounts
from services.accounts.application.funds import FUNDS_CHECK, reconcile_financial_block
from shared.db import Connection
from shared.eventstore import Metadata
from shared.scheduler import DueTimer, Handler

__all__ = ["timer_handlers"]


def _metadata(timer: DueTimer) -> Metadata:
    return Metadata(correlation_id=f"timer:{timer.key}", actor="timer")


def timer_handlers(context: Callable[[], Accounts]) -> dict[str, Handler]:
    async def block_start(_: Connection, timer: DueTimer) -> None:
        await start_block(context(), timer.payload["account_id"], timer.payload["block_id"], _metadata(timer))

    async def block_end(_: Connection, timer: DueTimer) -> None:
        await end_block(context(), timer.payload["account_id"], timer.payload["block_id"], _metadata(timer))

    async def funds_check(_: Connection, timer: DueTimer) -> None:
        await reconcile_financial_block(context(), timer.payload["account_id"], _metadata(timer))

    return {BLOCK_START: block_start, BLOCK_END: block_end, FUNDS_CHECK: funds_check}
