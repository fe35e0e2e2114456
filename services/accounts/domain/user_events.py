"""Cabinet users' events on `billing.accounts.events` (docs/events.md).

No secret is ever in them: not a password, not a hash, not a code. That something was issued is
an event; the secret itself goes only to the courier, once, unpersisted."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events import DomainEvent, registry

__all__ = [
    "CabinetUserCreated",
    "Channel",
    "CredentialsResetByOperator",
    "Language",
    "LoginCodeIssued",
    "NotificationPreferencesChanged",
    "PasswordChanged",
    "ProfileChanged",
    "Role",
    "TemporaryPasswordIssued",
    "UserEvent",
]

Role = Literal["subscriber", "org_admin", "operator"]
Language = Literal["ru", "en"]
Channel = Literal["sms", "email"]


class UserEvent(DomainEvent):
    """Keyed by the user's first account so one subscriber's events stay in order with the
    account's; operators (no accounts) by their user stream."""

    user_id: str

    @property
    def partition_key(self) -> str | None:
        account_ids: list[str] = getattr(self, "account_ids", [])
        return account_ids[0] if account_ids else f"user-{self.user_id}"


@registry.register
class CabinetUserCreated(UserEvent, type="CabinetUserCreated", version=1):
    role: Role
    login: str
    phone: str | None = None
    account_ids: list[str]
    organization_id: str | None = None
    must_change_password: bool


@registry.register
class PasswordChanged(UserEvent, type="PasswordChanged", version=1):
    account_ids: list[str] = []
    at: datetime


@registry.register
class TemporaryPasswordIssued(UserEvent, type="TemporaryPasswordIssued", version=1):
    account_ids: list[str]
    expires_at: datetime
    email_masked: str


@registry.register
class LoginCodeIssued(UserEvent, type="LoginCodeIssued", version=1):
    account_ids: list[str]
    expires_at: datetime
    phone_masked: str


@registry.register
class ProfileChanged(UserEvent, type="ProfileChanged", version=1):
    """The whole profile after the change (readers replace, never merge)."""

    account_ids: list[str]
    full_name: str | None = None
    contact_phone: str | None = None
    sms_phone: str | None = None
    sms_phone_confirmed: bool = False
    email: str | None = None
    address: str | None = None
    language: Language = "ru"
    #: Additive: passport data stays in the accounts service; the event shows it masked.
    passport_masked: str | None = None


@registry.register
class NotificationPreferencesChanged(UserEvent, type="NotificationPreferencesChanged", version=1):
    account_ids: list[str]
    preferences: dict[str, list[Channel]]


@registry.register
class CredentialsResetByOperator(UserEvent, type="CredentialsResetByOperator", version=1):
    """Support identified the user by contract number and full name (EXTRAS #1) and sent a
    temporary password (valid until `expires_at`, to be changed at first login) to the masked
    address. The password is in no event."""

    account_ids: list[str]
    operator_id: str
    channel: Channel
    address_masked: str
    expires_at: datetime
