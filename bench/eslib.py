"""The `eventsourcing` library (9.x) on the same database: an Application whose PostgreSQL
recorder (psycopg 3, sync) lives in its own schema `es`. Its writers run in threads, one
aggregate each, saving one or `batch` PaymentRegistered events per save (one transaction, in
which the library takes LOCK TABLE ... IN EXCLUSIVE MODE and sends a NOTIFY)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import asyncpg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.common import NOW, Sample, run_threads
from bench.setup import psycopg_params

__all__ = ["Account", "BenchApp", "measure", "open_app"]

SCHEMA = "es"


class Account(Aggregate):
    def __init__(self) -> None:
        self.payments = 0

    @event("PaymentRegistered")
    def register_payment(
        self, payment_id: str, amount: Decimal, method: str, external_id: str, paid_at: datetime
    ) -> None:
        self.payments += 1


class BenchApp(Application[UUID]):
    pass


async def open_app(dsn: str, pool_size: int = 8) -> BenchApp:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    finally:
        await conn.close()
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        **psycopg_params(dsn),
        "POSTGRES_SCHEMA": SCHEMA,
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "0",
    }
    return BenchApp(env=env)


def _writer(app: BenchApp, batch: int) -> Callable[[], None]:
    account = Account()
    app.save(account)  # the creation event, outside the timing

    def op() -> None:
        for _ in range(batch):
            n = account.payments
            account.register_payment(
                payment_id=f"pay-{str(account.id)[-12:]}-{n:06d}", amount=Decimal("1250.00"),
                method="card", external_id=f"ch_3PqR7sLkdJ2{n:08d}", paid_at=NOW,
            )
        app.save(account)

    return op


def measure(app: BenchApp, writers: int, batch: int, duration: float) -> Sample:
    return run_threads(lambda: _writer(app, batch), writers, batch, duration)
