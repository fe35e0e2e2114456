"""Cabinet users' profiles and preferences, from the users' events on billing.accounts.events
(part of the `gateway.cabinet_accounts` projection). No secret ever arrives here."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["apply_user_event"]


class _UserCreated(BaseModel):
    model_config = ConfigDict(extra="ignore")

    user_id: str
    role: str
    login: str
    account_ids: list[str]
    organization_id: str | None = None


class _Profile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    user_id: str
    full_name: str | None = None
    contact_phone: str | None = None
    sms_phone: str | None = None
    sms_phone_confirmed: bool = False
    email: str | None = None
    address: str | None = None
    language: str = "ru"
    passport_masked: str | None = None


async def apply_user_event(conn: Connection, event: IncomingEvent) -> None:
    payload = event.payload
    match event.event_type:
        case "CabinetUserCreated":
            user = _UserCreated.model_validate(payload)
            await conn.execute(
                "INSERT INTO cabinet_users (user_id, role, login, account_ids, organization_id)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO NOTHING",
                user.user_id, user.role, user.login, user.account_ids, user.organization_id,
            )
        case "ProfileChanged":
            p = _Profile.model_validate(payload)
            await conn.execute(
                "UPDATE cabinet_users SET full_name = $2, contact_phone = $3, sms_phone = $4,"
                " sms_phone_confirmed = $5, email = $6, address = $7, language = $8, passport_masked = $9"
                " WHERE user_id = $1",
                p.user_id, p.full_name, p.contact_phone, p.sms_phone, p.sms_phone_confirmed, p.email, p.address,
                p.language, p.passport_masked,
            )
        case "NotificationPreferencesChanged":
            await conn.execute("UPDATE cabinet_users SET preferences = $2 WHERE user_id = $1",
                               payload["user_id"], payload["preferences"])
        case "PasswordChanged":
            await conn.execute("UPDATE cabinet_users SET password_changed_at = $2 WHERE user_id = $1",
                               payload["user_id"], datetime.fromisoformat(payload["at"]))
