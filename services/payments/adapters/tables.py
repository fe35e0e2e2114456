"""The payments service's own tables of state beside its event store (migrations/): top-ups waiting
for their provider's callback, saved payment methods, and the amounts autopay decided to charge.
Every method takes the connection of the caller's transaction (a command's, a timer's)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from services.payments.domain.providers import TopUp
from shared.db import Connection

__all__ = ["AutopayAmountsTable", "SavedMethodsTable", "TopUpsTable"]


class TopUpsTable:
    async def next_invoice_id(self, conn: Connection) -> int:
        return int(await conn.fetchval("SELECT nextval('top_up_invoices')"))

    async def remember(self, conn: Connection, top_up: TopUp, started_at: datetime) -> None:
        await conn.execute(
            "INSERT INTO top_ups (invoice_id, account_id, amount, provider, started_at) VALUES ($1, $2, $3, $4, $5)",
            top_up.invoice_id, top_up.account_id, top_up.amount, top_up.provider, started_at,
        )

    async def find(self, conn: Connection, invoice_id: int) -> TopUp | None:
        row = await conn.fetchrow(
            "SELECT invoice_id, account_id, amount, provider FROM top_ups WHERE invoice_id = $1", invoice_id
        )
        return TopUp(row["invoice_id"], row["account_id"], row["amount"], row["provider"]) if row else None


class SavedMethodsTable:
    async def save(self, conn: Connection, account_id: str, provider: str, token: str, masked: str,
                   saved_at: datetime) -> None:
        await conn.execute(
            "INSERT INTO payment_methods (account_id, provider, token, method_masked, saved_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET provider = excluded.provider,"
            " token = excluded.token, method_masked = excluded.method_masked, saved_at = excluded.saved_at",
            account_id, provider, token, masked, saved_at,
        )

    async def forget(self, conn: Connection, account_id: str) -> None:
        await conn.execute("DELETE FROM payment_methods WHERE account_id = $1", account_id)

    async def token(self, conn: Connection, account_id: str) -> str | None:
        token: str | None = await conn.fetchval("SELECT token FROM payment_methods WHERE account_id = $1", account_id)
        return token


class AutopayAmountsTable:
    async def decided(self, conn: Connection, key: str) -> Decimal | None:
        amount: Decimal | None = await conn.fetchval(
            "SELECT amount FROM autopay_amounts WHERE idempotency_key = $1", key
        )
        return amount

    async def decide(self, conn: Connection, key: str, account_id: str, period: str, amount: Decimal,
                     decided_at: datetime) -> Decimal:
        await conn.execute(
            "INSERT INTO autopay_amounts (idempotency_key, account_id, period, amount, decided_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
            key, account_id, period, amount, decided_at,
        )
        return Decimal(await conn.fetchval("SELECT amount FROM autopay_amounts WHERE idempotency_key = $1", key))
