"""Who receives an account's messages: the service's own view of cabinet users' contacts, fed by
billing.accounts.events. SMS go only to a confirmed SMS phone (seed 000: the reminder starts once
the number is confirmed); operators get no subscriber messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.notifications.domain.events import Channel, Language
from shared.db import Connection, Pool

__all__ = ["Recipient", "preferences_of", "recipients_for", "save_preferences", "save_profile", "save_user"]


@dataclass(frozen=True)
class Recipient:
    user_id: str
    language: Language
    email: str | None
    sms_phone: str | None
    preferences: Mapping[str, list[str]] = field(default_factory=dict)

    def address(self, channel: Channel) -> str | None:
        return self.sms_phone if channel == "sms" else self.email


async def save_user(conn: Connection, user_id: str, role: str, account_ids: list[str], at: datetime) -> None:
    await conn.execute(
        "INSERT INTO recipients (user_id, role, account_ids, updated_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, account_ids = excluded.account_ids,"
        " updated_at = excluded.updated_at",
        user_id, role, account_ids, at,
    )


async def save_profile(
    conn: Connection, user_id: str, account_ids: list[str], *, email: str | None, sms_phone: str | None,
    sms_phone_confirmed: bool, language: str, at: datetime,
) -> None:
    """The whole profile after a change replaces what was known (docs/events.md ProfileChanged)."""
    await conn.execute(
        "INSERT INTO recipients (user_id, account_ids, email, sms_phone, sms_phone_confirmed, language, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO UPDATE SET"
        " account_ids = excluded.account_ids, email = excluded.email, sms_phone = excluded.sms_phone,"
        " sms_phone_confirmed = excluded.sms_phone_confirmed, language = excluded.language,"
        " updated_at = excluded.updated_at",
        user_id, account_ids, email, sms_phone, sms_phone_confirmed, language, at,
    )


async def save_preferences(
    conn: Connection, user_id: str, account_ids: list[str], preferences: dict[str, list[str]], at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO recipients (user_id, account_ids, preferences, updated_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (user_id) DO UPDATE SET account_ids = excluded.account_ids,"
        " preferences = excluded.preferences, updated_at = excluded.updated_at",
        user_id, account_ids, preferences, at,
    )


async def recipients_for(conn: Connection, account_id: str) -> list[Recipient]:
    rows = await conn.fetch(
        "SELECT user_id, language, email, sms_phone, sms_phone_confirmed, preferences FROM recipients"
        " WHERE $1 = ANY(account_ids) AND role IS DISTINCT FROM 'operator' ORDER BY user_id",
        account_id,
    )
    return [_recipient(row) for row in rows]


async def preferences_of(pool: Pool, user_id: str) -> dict[str, list[str]]:
    """What the user chose per topic (a topic not chosen keeps its default channels)."""
    chosen = await pool.fetchval("SELECT preferences FROM recipients WHERE user_id = $1", user_id)
    return dict(chosen or {})


def _recipient(row: Any) -> Recipient:
    return Recipient(
        user_id=row["user_id"],
        language="en" if row["language"] == "en" else "ru",
        email=row["email"],
        sms_phone=row["sms_phone"] if row["sms_phone_confirmed"] else None,
        preferences=row["preferences"] or {},
    )
