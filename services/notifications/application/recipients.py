"""Who receives an account's messages: the service's own view of cabinet users' contacts, which
projections/recipients.py keeps from billing.accounts.events. SMS go only to a confirmed SMS
phone (seed 000: the reminder starts once the number is confirmed); operators get no subscriber
messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.notifications.domain.events import Channel, Language
from shared.db import Connection, Pool

__all__ = ["Recipient", "preferences_of", "recipient", "recipients_for"]


@dataclass(frozen=True)
class Recipient:
    user_id: str
    language: Language
    email: str | None
    sms_phone: str | None
    preferences: Mapping[str, list[str]] = field(default_factory=dict)

    def address(self, channel: Channel) -> str | None:
        return self.sms_phone if channel == "sms" else self.email


async def recipients_for(conn: Connection, account_id: str) -> list[Recipient]:
    rows = await conn.fetch(
        "SELECT user_id, language, email, sms_phone, sms_phone_confirmed, preferences FROM recipients"
        " WHERE $1 = ANY(account_ids) AND role IS DISTINCT FROM 'operator' ORDER BY user_id",
        account_id,
    )
    return [_recipient(row) for row in rows]


async def recipient(conn: Connection, user_id: str) -> Recipient | None:
    """One user by id, whatever accounts they are listed on (an organization admin sees the
    organization's accounts without them being listed): a message meant for that user alone."""
    row = await conn.fetchrow(
        "SELECT user_id, language, email, sms_phone, sms_phone_confirmed, preferences FROM recipients"
        " WHERE user_id = $1 AND role IS DISTINCT FROM 'operator'", user_id,
    )
    return _recipient(row) if row else None


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
