"""Credentials in the accounts schema: argon2id hashes of passwords, temporary passwords and
one-time codes, looked up by login (contract number) or phone. Methods taking `conn` join the
caller's transaction (the command that records the matching event)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.accounts.application.ports import CodeRow, CredentialRow, Credentials
from services.accounts.domain.rules import login_key
from shared.db import Connection, Pool
from shared.errors import Conflict

__all__ = ["PostgresCredentials"]


_COLUMNS = "user_id, login, phone, password_hash, temporary_hash, temporary_expires_at"


class PostgresCredentials(Credentials):
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def create(
        self, conn: Connection, user_id: str, login: str, phone: str | None, password_hash: str | None, now: datetime
    ) -> None:
        try:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO credentials (user_id, login, phone, password_hash, updated_at)"
                    " VALUES ($1, $2, $3, $4, $5)",
                    user_id, login.lower(), phone, password_hash, now,
                )
        except asyncpg.UniqueViolationError:
            raise Conflict("user.login_taken", "that login or phone already belongs to another user") from None

    async def find(self, login_or_phone: str) -> CredentialRow | None:
        given, phone = login_key(login_or_phone)
        row = await self.pool.fetchrow(
            f"SELECT {_COLUMNS} FROM credentials WHERE login = $1 OR phone = $2"
            " ORDER BY (login = $1) DESC LIMIT 1",
            given, phone,
        )
        return CredentialRow(**dict(row)) if row else None

    async def get(self, user_id: str) -> CredentialRow | None:
        row = await self.pool.fetchrow(f"SELECT {_COLUMNS} FROM credentials WHERE user_id = $1", user_id)
        return CredentialRow(**dict(row)) if row else None

    async def set_password(self, conn: Connection, user_id: str, password_hash: str, now: datetime) -> None:
        await conn.execute(
            "UPDATE credentials SET password_hash = $2, temporary_hash = NULL, temporary_expires_at = NULL,"
            " updated_at = $3 WHERE user_id = $1",
            user_id, password_hash, now,
        )

    async def set_temporary(
        self, conn: Connection, user_id: str, temporary_hash: str, expires_at: datetime, now: datetime
    ) -> None:
        await conn.execute(
            "UPDATE credentials SET temporary_hash = $2, temporary_expires_at = $3, updated_at = $4"
            " WHERE user_id = $1",
            user_id, temporary_hash, expires_at, now,
        )

    async def adopt_phone(self, conn: Connection, user_id: str, phone: str) -> None:
        """A confirmed SMS phone becomes the login phone of a user who has none (if it is free; when
        another user takes it at the same moment, that one keeps it and this one stays without)."""
        try:
            async with conn.transaction():  # a savepoint: losing the race leaves the caller's transaction usable
                await conn.execute(
                    "UPDATE credentials SET phone = $2 WHERE user_id = $1 AND phone IS NULL"
                    " AND NOT EXISTS (SELECT 1 FROM credentials WHERE phone = $2)",
                    user_id, phone,
                )
        except asyncpg.UniqueViolationError:
            pass

    # -- one-time codes ------------------------------------------------------------------------
    async def save_code(
        self, conn: Connection, user_id: str, purpose: str, code_hash: str, expires_at: datetime, now: datetime,
        target: str | None = None,
    ) -> None:
        await conn.execute(
            "INSERT INTO one_time_codes (user_id, purpose, code_hash, expires_at, issued_at, target)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, purpose) DO UPDATE SET"
            " code_hash = excluded.code_hash, expires_at = excluded.expires_at, issued_at = excluded.issued_at,"
            " failed_attempts = 0, used_at = NULL, target = excluded.target",
            user_id, purpose, code_hash, expires_at, now, target,
        )

    async def drop_code(self, conn: Connection, user_id: str, purpose: str, *, unless_target: str | None) -> None:
        """Forget the user's code for `purpose` unless it was sent to `unless_target`."""
        await conn.execute(
            "DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = $2 AND target IS DISTINCT FROM $3",
            user_id, purpose, unless_target,
        )

    async def lock_code(self, conn: Connection, user_id: str, purpose: str) -> CodeRow | None:
        """The live code, locked until the caller's transaction ends (two uses never both pass)."""
        row = await conn.fetchrow(
            "SELECT code_hash, expires_at, failed_attempts, used_at, target FROM one_time_codes"
            " WHERE user_id = $1 AND purpose = $2 FOR UPDATE",
            user_id, purpose,
        )
        return CodeRow(**dict(row)) if row else None

    async def mark_code(self, conn: Connection, user_id: str, purpose: str, *, used_at: datetime | None) -> None:
        if used_at is not None:
            await conn.execute(
                "UPDATE one_time_codes SET used_at = $3 WHERE user_id = $1 AND purpose = $2",
                user_id, purpose, used_at,
            )
        else:
            await conn.execute(
                "UPDATE one_time_codes SET failed_attempts = failed_attempts + 1 WHERE user_id = $1 AND purpose = $2",
                user_id, purpose,
            )

    async def save_passport(self, conn: Connection, user_id: str, passport: str | None, now: datetime) -> None:
        await conn.execute(
            "INSERT INTO personal_data (user_id, passport, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (user_id) DO UPDATE SET passport = excluded.passport, updated_at = excluded.updated_at",
            user_id, passport, now,
        )

    async def passport(self, user_id: str) -> str | None:
        value = await self.pool.fetchval("SELECT passport FROM personal_data WHERE user_id = $1", user_id)
        return str(value) if value is not None else None
