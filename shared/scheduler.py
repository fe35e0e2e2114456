"""Durable timers: a command scheduled for a time survives restarts and fires once.

Timers are rows written in the same transaction as the events that call for them (a promised
payment's expiry is scheduled together with `PromisedPaymentTaken`). A runner claims due rows with
`FOR UPDATE SKIP LOCKED`, so several runners share the work without firing a timer twice, and
marks a timer fired in the transaction of its handler: a crash before the commit fires it again,
so handlers are idempotent commands (their own idempotency key is the timer key).

A handler must not wait on the network inside that transaction: its transaction id holds back the
relays' horizon on the whole cluster (shared/eventstore.py) for as long as it runs. A handler that
has such work (sending an e-mail) returns it as an `AfterCommit` action instead: the runner starts
it once the transaction committed, so a rolled-back firing never acts. A crash after the commit
loses the action: the handler schedules whatever must happen if no outcome is ever recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.clock import Clock
from shared.db import Connection, Pool
from shared.logging import get_logger
from shared.metrics import TIMERS_FIRED

__all__ = ["AfterCommit", "DueTimer", "Scheduler", "cancel_timer", "cancel_timers", "schedule_timer", "timer_exists"]

log = get_logger(__name__)


@dataclass(frozen=True)
class DueTimer:
    key: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    attempts: int


#: Work a handler hands back to run after its firing committed (network I/O, never in the transaction).
AfterCommit = Callable[[], Awaitable[None]]
Handler = Callable[[Connection, DueTimer], Awaitable[AfterCommit | None]]


async def schedule_timer(
    conn: Connection, key: str, kind: str, due_at: datetime, payload: dict[str, Any]
) -> None:
    """Schedule (or move) the timer `key`; call inside the transaction that needs it."""
    await conn.execute(
        "INSERT INTO timers (timer_key, kind, due_at, payload) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (timer_key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload,"
        " kind = excluded.kind, fired_at = NULL, cancelled_at = NULL, attempts = 0, last_error = NULL",
        key,
        kind,
        due_at,
        payload,
    )


async def cancel_timer(conn: Connection, key: str, at: datetime) -> None:
    await conn.execute(
        "UPDATE timers SET cancelled_at = $2 WHERE timer_key = $1 AND fired_at IS NULL", key, at
    )


async def cancel_timers(conn: Connection, kind: str, at: datetime, **payload: str) -> None:
    """Cancel every pending timer of `kind` whose payload holds these values (e.g. account_id="1015")."""
    await conn.execute(
        "UPDATE timers SET cancelled_at = $2 WHERE kind = $1 AND payload @> $3::jsonb"
        " AND fired_at IS NULL AND cancelled_at IS NULL",
        kind, at, payload,
    )


async def timer_exists(conn: Connection, key: str) -> bool:
    """True if the timer `key` was ever scheduled (pending, fired or cancelled)."""
    return bool(await conn.fetchval("SELECT 1 FROM timers WHERE timer_key = $1", key))


class Scheduler:
    def __init__(
        self, pool: Pool, clock: Clock, *, batch_size: int = 50, poll_interval: float = 0.2,
        max_attempts: int = 10,
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self._handlers: dict[str, Handler] = {}

    def handler(self, kind: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self._handlers[kind] = fn
            return fn

        return register

    async def fire_due(self) -> int:
        """Fire every timer due by the clock's now; return how many fired."""
        fired = 0
        while True:
            claimed, succeeded = await self._fire_batch()
            fired += succeeded
            if claimed < self.batch_size:
                return fired

    async def _fire_batch(self) -> tuple[int, int]:
        """Claim a batch of due timers and fire them: (claimed, fired)."""
        now = self.clock.now()
        fired = 0
        after_commit: list[AfterCommit] = []
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT timer_key, kind, due_at, payload, attempts FROM timers"
                " WHERE due_at <= $1 AND fired_at IS NULL AND cancelled_at IS NULL AND attempts < $3"
                " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
                now,
                self.batch_size,
                self.max_attempts,
            )
            for row in rows:
                timer = DueTimer(row["timer_key"], row["kind"], row["due_at"], row["payload"], row["attempts"])
                handler = self._handlers.get(timer.kind)
                try:
                    if handler is None:
                        raise LookupError(f"no handler for timer kind {timer.kind}")
                    async with conn.transaction():
                        follow_up = await handler(conn, timer)
                        await conn.execute(
                            "UPDATE timers SET fired_at = $2, attempts = attempts + 1 WHERE timer_key = $1",
                            timer.key,
                            now,
                        )
                    TIMERS_FIRED.labels(timer.kind).inc()
                    fired += 1
                    if follow_up is not None:
                        after_commit.append(follow_up)
                except Exception as error:
                    log.error("timer.failed", key=timer.key, kind=timer.kind, error=repr(error))
                    await conn.execute(
                        "UPDATE timers SET attempts = attempts + 1, last_error = $2,"
                        " due_at = $3 WHERE timer_key = $1",
                        timer.key,
                        repr(error)[:1000],
                        now + timedelta(seconds=min(3600, 2 ** (timer.attempts + 1))),
                    )
        if after_commit:
            await _run_after_commit(after_commit)
        return len(rows), fired

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.fire_due()
            except Exception as error:
                log.error("scheduler.poll_failed", error=repr(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_interval)


async def _run_after_commit(actions: list[AfterCommit]) -> None:
    """Run the committed firings' follow-ups side by side; one failing does not stop the others."""
    results = await asyncio.gather(*(action() for action in actions), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            log.error("timer.after_commit_failed", error=repr(result))
