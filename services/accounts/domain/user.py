"""A cabinet user: who logs in, to which accounts, with which role; their profile and preferences.

Credentials (password hashes, temporary passwords, codes) are not part of this aggregate: they are
state kept beside it (adapters/credentials.py) and never travel in events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.accounts.domain.rules import mask_email, mask_phone
from services.accounts.domain.user_events import (
    CabinetUserCreated,
    Channel,
    CredentialsResetByOperator,
    Language,
    LoginCodeIssued,
    NotificationPreferencesChanged,
    PasswordChanged,
    ProfileChanged,
    Role,
    TemporaryPasswordIssued,
)
from shared.aggregate import Aggregate
from shared.errors import Conflict, DomainError, NotFound
from shared.events import DomainEvent

__all__ = ["CabinetUser", "Claims", "Profile", "stream_id_for"]


def _same_name(name: str) -> str:
    return " ".join(name.casefold().replace("\u0451", "\u0435").split())  # yo counts as ye


def stream_id_for(user_id: str) -> str:
    return f"user-{user_id}"


@dataclass(frozen=True)
class Profile:
    full_name: str | None = None
    contact_phone: str | None = None
    sms_phone: str | None = None
    sms_phone_confirmed: bool = False
    email: str | None = None
    address: str | None = None
    language: Language = "ru"
    passport_masked: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Claims:
    """What the gateway needs to know about a user who proved who they are."""

    user_id: str
    role: Role
    login: str
    account_ids: list[str]
    organization_id: str | None
    must_change_password: bool
    language: Language = "ru"
    contact_phone_missing: bool = field(default=False)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class CabinetUser(Aggregate):
    stream_type = "CabinetUser"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.user_id = stream_id.removeprefix("user-")
        self.created = False
        self.role: Role = "subscriber"
        self.login = ""
        self.phone: str | None = None
        self.account_ids: list[str] = []
        self.organization_id: str | None = None
        self.must_change_password = False
        self.profile = Profile()
        self.preferences: dict[str, list[Channel]] = {}

    def apply(self, event: DomainEvent) -> None:
        match event:
            case CabinetUserCreated():
                self.created = True
                self.role, self.login, self.phone = event.role, event.login, event.phone
                self.account_ids = list(event.account_ids)
                self.organization_id = event.organization_id
                self.must_change_password = event.must_change_password
            case PasswordChanged():
                self.must_change_password = False
            case ProfileChanged():
                self.profile = Profile(**event.model_dump(exclude={"user_id", "account_ids"}))
            case NotificationPreferencesChanged():
                self.preferences = dict(event.preferences)

    def require(self) -> None:
        if not self.created:
            raise NotFound("user.not_found", f"user {self.user_id} not found")

    def claims(self, *, temporary: bool = False) -> Claims:
        self.require()
        return Claims(self.user_id, self.role, self.login, list(self.account_ids), self.organization_id,
                      self.must_change_password or temporary, self.profile.language,
                      self.role != "operator" and not (self.profile.contact_phone or self.profile.sms_phone))

    def create(
        self, role: Role, login: str, phone: str | None, account_ids: list[str], organization_id: str | None,
        must_change_password: bool, profile: Profile, temporary_password_expires_at: datetime | None = None,
    ) -> list[DomainEvent]:
        """A new user; with `temporary_password_expires_at`, one was issued to the profile's e-mail."""
        if self.created:
            raise Conflict("user.exists", f"user {self.user_id} already exists")
        if role == "subscriber" and not account_ids:
            raise DomainError("user.no_accounts", "a subscriber needs at least one account")
        if role == "org_admin" and not organization_id:
            raise DomainError("user.no_organization", "an organization admin needs the organization's id")
        events: list[DomainEvent] = [CabinetUserCreated(
            user_id=self.user_id, role=role, login=login, phone=phone, account_ids=account_ids,
            organization_id=organization_id, must_change_password=must_change_password,
        )]
        if profile != Profile():
            events.append(ProfileChanged(user_id=self.user_id, account_ids=account_ids, **profile.as_dict()))
        if temporary_password_expires_at is not None:
            if not profile.email:
                raise DomainError("user.no_email", "a temporary password needs an e-mail address to go to")
            events.append(TemporaryPasswordIssued(
                user_id=self.user_id, account_ids=account_ids, expires_at=temporary_password_expires_at,
                email_masked=mask_email(profile.email)))
        return events

    def reset_by_operator(self, full_name: str, operator_id: str, expires_at: datetime) -> list[DomainEvent]:
        """Support's reset (EXTRAS #1): the full name given must be the one on file (case, the
        letter yo and spacing aside); the temporary password goes to the e-mail, else to the login phone."""
        self.require()
        if self.role == "operator" or not self.profile.full_name or (
                _same_name(self.profile.full_name) != _same_name(full_name)):
            raise DomainError("credentials.identity_mismatch", "no subscriber with this contract number and full name")
        if self.profile.email:
            channel, masked = "email", mask_email(self.profile.email)
        elif self.phone:
            channel, masked = "sms", mask_phone(self.phone)
        else:
            raise DomainError("credentials.no_address", "the subscriber has no e-mail or phone on file")
        return [CredentialsResetByOperator(user_id=self.user_id, account_ids=self.account_ids, operator_id=operator_id,
                                           channel=channel, address_masked=masked, expires_at=expires_at)]

    def change_password(self, now: datetime) -> list[DomainEvent]:
        self.require()
        return [PasswordChanged(user_id=self.user_id, account_ids=self.account_ids, at=now)]

    def issue_temporary_password(self, expires_at: datetime) -> list[DomainEvent]:
        self.require()
        if not self.profile.email:
            raise DomainError("recovery.no_email", "no e-mail address is on file; contact support")
        return [TemporaryPasswordIssued(user_id=self.user_id, account_ids=self.account_ids,
                                        expires_at=expires_at, email_masked=mask_email(self.profile.email))]

    def issue_login_code(self, phone: str, expires_at: datetime) -> list[DomainEvent]:
        self.require()
        return [LoginCodeIssued(user_id=self.user_id, account_ids=self.account_ids, expires_at=expires_at,
                                phone_masked=mask_phone(phone))]

    def change_profile(self, profile: Profile) -> list[DomainEvent]:
        self.require()
        if profile.sms_phone != self.profile.sms_phone:
            profile = replace(profile, sms_phone_confirmed=False)
        if profile == self.profile:
            return []
        return [ProfileChanged(user_id=self.user_id, account_ids=self.account_ids, **profile.as_dict())]

    def confirm_sms_phone(self, phone: str) -> list[DomainEvent]:
        """Confirm `phone`, the number the code went to, if it is still the SMS phone."""
        self.require()
        if not self.profile.sms_phone:
            raise DomainError("profile.no_sms_phone", "set an SMS phone first")
        if self.profile.sms_phone != phone:
            raise DomainError("profile.sms_phone_changed",
                              "the SMS phone changed after the code was sent; ask for a new code")
        if self.profile.sms_phone_confirmed:
            return []
        confirmed = replace(self.profile, sms_phone_confirmed=True)
        return [ProfileChanged(user_id=self.user_id, account_ids=self.account_ids, **confirmed.as_dict())]

    def change_preferences(self, preferences: dict[str, list[Channel]]) -> list[DomainEvent]:
        self.require()
        cleaned = {topic: sorted(set(channels)) for topic, channels in preferences.items()}
        if cleaned == self.preferences:
            return []
        return [NotificationPreferencesChanged(user_id=self.user_id, account_ids=self.account_ids,
                                               preferences=cleaned)]
