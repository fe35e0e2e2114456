"""What every benchmark shares: sizes, the event measured, timed writer loops, medians."""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from time import perf_counter

from shared.events import DomainEvent

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
RUNS = max(1, int(os.environ.get("BENCH_RUNS", "3")))
#: Each timed cell runs this long, or until it has written MAX_EVENTS, whichever comes first.
DURATION = max(0.2, 1.5 * SCALE)
MAX_EVENTS = max(1000, int(40_000 * SCALE))
WARMUP = min(0.2, DURATION)


class PaymentRegistered(DomainEvent, type="PaymentRegistered", version=1):
    """Shaped like services/payments' event (not registered anywhere: the store never loads it)."""

    account_id: str
    payment_id: str
    amount: Decimal
    method: str
    external_id: str
    paid_at: datetime


NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def payment(account_id: str, n: int) -> PaymentRegistered:
    return PaymentRegistered(
        account_id=account_id,
        payment_id=f"pay-{account_id[-12:]}-{n:06d}",
        amount=Decimal("1250.00"),
        method="card",
        external_id=f"ch_3PqR7sLkdJ2{n:08d}",
        paid_at=NOW,
    )


@dataclass(frozen=True)
class Sample:
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ops_per_writer(writers: int, batch: int) -> int:
    return max(1, MAX_EVENTS // (writers * batch))


async def run_async(
    make_op: Callable[[], Callable[[], Awaitable[None]]], writers: int, batch: int, duration: float
) -> Sample:
    """`writers` concurrent loops of one transaction each; events = transactions x batch."""
    ops = [make_op() for _ in range(writers)]
    limit = ops_per_writer(writers, batch)
    start = perf_counter()
    deadline = start + duration

    async def loop(op: Callable[[], Awaitable[None]]) -> int:
        done = 0
        while done < limit and perf_counter() < deadline:
            await op()
            done += 1
        return done

    counts = await asyncio.gather(*(loop(op) for op in ops))
    return Sample(sum(counts) * batch, perf_counter() - start)


def run_threads(make_op: Callable[[], Callable[[], None]], writers: int, batch: int, duration: float) -> Sample:
    """The same with blocking writers, one thread each, started together."""
    ops = [make_op() for _ in range(writers)]
    limit = ops_per_writer(writers, batch)
    barrier = threading.Barrier(writers + 1)
    deadline = [0.0]

    def loop(op: Callable[[], None]) -> int:
        barrier.wait()
        done = 0
        while done < limit and perf_counter() < deadline[0]:
            op()
            done += 1
        return done

    with ThreadPoolExecutor(writers) as pool:
        futures = [pool.submit(loop, op) for op in ops]
        start = perf_counter()
        deadline[0] = start + duration
        barrier.wait()
        counts = [f.result() for f in futures]
    return Sample(sum(counts) * batch, perf_counter() - start)
