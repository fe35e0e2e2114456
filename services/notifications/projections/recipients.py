"""Who receives an account's messages, from billing.accounts.events into `recipients`: cabinet
users and their accounts (CabinetUserCreated), contacts and language (ProfileChanged: the whole
profile after a change replaces what was known), channel choices (NotificationPreferencesChanged).
The use cases read it through application/recipients.py."""

from __future__ import annotations

from datetime import datetime

from services.notifications.application.context import Notifier
from services.notifications.projections import Apply
from services.notifications.projections import contracts as c
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["APPLY", "save_preferences", "save_profile", "save_user"]


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


async def _user_created(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.CabinetUserCreated.model_validate(event.payload)
    await save_user(conn, p.user_id, p.role, p.account_ids, event.occurred_at)


async def _profile_changed(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.ProfileChanged.model_validate(event.payload)
    await save_profile(conn, p.user_id, p.account_ids, email=p.email, sms_phone=p.sms_phone,
                       sms_phone_confirmed=p.sms_phone_confirmed, language=p.language, at=event.occurred_at)


async def _preferences_changed(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.NotificationPreferencesChanged.model_validate(event.payload)
    await save_preferences(conn, p.user_id, p.account_ids, p.preferences, event.occurred_at)


APPLY: dict[str, Apply] = {
    "CabinetUserCreated": _user_created,
    "ProfileChanged": _profile_changed,
    "NotificationPreferencesChanged": _preferences_changed,
}
