"""Use cases: voluntary blocks. Scheduling writes the start and end timers in the transaction
that records BlockScheduled. The timers fire commands that decide from the block's state, so a
timer fired twice, or firing for a block cancelled or lifted early, changes nothing.

Why cancelling or lifting does not cancel the timers: a runner firing a timer holds its row
locked while its command appends to the account stream; a cancel that appended first and then
waited for that row lock would wait for the runner, and the runner's append for the cancel: a
deadlock PostgreSQL cannot see (one of the waits is in the application). The no-op firing is the
cheaper, safe choice."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.accounts.application.context import Accounts
from services.accounts.domain.account import PersonalAccount, stream_id_for
from shared.calendar import start_of_day
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection
from shared.eventstore import Metadata, RecordedEvent
from shared.scheduler import schedule_timer

__all__ = [
    "BLOCK_END",
    "BLOCK_START",
    "cancel_block",
    "end_block",
    "lift_block",
    "schedule_block",
    "start_block",
]

BLOCK_START = "block.start"
BLOCK_END = "block.end"


def _block_body(account: PersonalAccount, block_id: str) -> dict[str, Any]:
    block = account.blocks.blocks[block_id]
    return {"account_id": account.account_id, "block_id": block_id, "starts_on": block.starts_on.isoformat(),
            "ends_on": block.ends_on.isoformat(), "days": block.days, "fee": block.fee, "state": block.state}


async def schedule_block(ctx: Accounts, account_id: str, starts_on: date, days: int, metadata: Metadata,
                         idempotency_key: str | None) -> CommandResult:
    block_id = str(uuid.uuid4())
    today = ctx.today()

    async def set_timers(conn: Connection, account: PersonalAccount, _: list[RecordedEvent]) -> None:
        block = account.blocks.blocks[block_id]
        payload = {"account_id": account_id, "block_id": block_id}
        tz = ctx.timezone
        await schedule_timer(conn, f"block-start:{block_id}", BLOCK_START, start_of_day(block.starts_on, tz), payload)
        await schedule_timer(conn, f"block-end:{block_id}", BLOCK_END, start_of_day(block.resumes_on, tz), payload)

    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.schedule_block(block_id, starts_on, days, today),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "schedule-block", account_id),
        request={"account_id": account_id, "starts_on": starts_on, "days": days},
        respond=lambda account, _: _block_body(account, block_id),
        in_transaction=set_timers,
    )


async def cancel_block(ctx: Accounts, account_id: str, block_id: str, metadata: Metadata,
                       idempotency_key: str | None) -> CommandResult:
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.cancel_block(block_id),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "cancel-block", account_id),
        request={"cancel": block_id}, respond=lambda account, _: _block_body(account, block_id),
    )


async def lift_block(ctx: Accounts, account_id: str, block_id: str, metadata: Metadata,
                     idempotency_key: str | None) -> CommandResult:
    now = ctx.clock.now()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.lift_block(block_id, now),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "lift-block", account_id),
        request={"lift": block_id}, respond=lambda account, _: _block_body(account, block_id),
    )


async def start_block(ctx: Accounts, account_id: str, block_id: str, metadata: Metadata) -> CommandResult:
    now = ctx.clock.now()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.blocks.start(account_id, block_id, now), metadata=metadata, now=now,
    )


async def end_block(ctx: Accounts, account_id: str, block_id: str, metadata: Metadata) -> CommandResult:
    now = ctx.clock.now()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.blocks.end(account_id, block_id, now), metadata=metadata, now=now,
    )
