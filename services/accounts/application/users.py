"""Use cases on cabinet users: create one (operator, demo loader), profile and its SMS phone
confirmation, notification preferences."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.accounts.application.context import Accounts
from services.accounts.application.secrets import consume_code, new_code, new_temporary_password
from services.accounts.domain.rules import check_new_password, mask_passport, normalize_email, normalize_phone
from services.accounts.domain.user import CabinetUser, Profile, stream_id_for
from services.accounts.domain.user_events import Channel, Role
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.db import Connection
from shared.errors import DomainError
from shared.eventstore import Metadata, RecordedEvent

__all__ = [
    "change_preferences",
    "confirm_sms_phone",
    "create_user",
    "profile_of",
    "send_sms_phone_code",
    "update_profile",
]


async def create_user(
    ctx: Accounts, user_id: str, role: Role, login: str, phone: str | None, account_ids: list[str],
    organization_id: str | None, password: str | None, must_change_password: bool, profile: Profile,
    metadata: Metadata, idempotency_key: str | None,
) -> CommandResult:
    """With a password (the office typed it, or the demo loader), the user logs in with it; without
    one, a temporary password goes to the profile's e-mail and must be changed at first use."""
    phone = normalize_phone(phone) if phone else None
    if profile.email:
        profile = replace(profile, email=normalize_email(profile.email))
    temporary = None
    if password is not None:
        check_new_password(password, login)
    else:
        temporary, must_change_password = new_temporary_password(), True
    password_hash = await ctx.hasher.hash(password if password is not None else temporary or "")
    now = ctx.clock.now()
    expires_at = now + ctx.temporary_password_ttl

    async def store_credentials(conn: Connection, _: CabinetUser, __: list[RecordedEvent]) -> None:
        await ctx.credentials.create(conn, user_id, login, phone, password_hash if temporary is None else None, now)
        if temporary is not None:
            await ctx.credentials.set_temporary(conn, user_id, password_hash, expires_at, now)

    result = await execute(
        ctx.store, CabinetUser, stream_id_for(user_id),
        lambda user: user.create(role, login, phone, account_ids, organization_id, must_change_password, profile,
                                 expires_at if temporary is not None else None),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "create-user", user_id) or f"user:{user_id}",
        request={"role": role, "login": login, "phone": phone, "accounts": account_ids, "org": organization_id},
        respond=lambda user, _: {"user_id": user_id, "role": role, "login": login},
        in_transaction=store_credentials,
    )
    if temporary is not None and not result.repeated:
        assert profile.email is not None
        await ctx.courier.deliver("temporary_password", user_id, account_ids, "email", profile.email,
                                  profile.language, temporary, expires_at)
    return result


async def profile_of(ctx: Accounts, user_id: str) -> dict[str, Any]:
    async with ctx.store.pool.acquire() as conn:
        user = await load_aggregate(ctx.store, conn, CabinetUser, stream_id_for(user_id))
    user.require()
    return {"user_id": user_id, "login": user.login, "role": user.role, "account_ids": user.account_ids,
            **user.profile.as_dict(), "passport": await ctx.credentials.passport(user_id),
            "preferences": user.preferences}


async def update_profile(ctx: Accounts, user_id: str, changes: dict[str, Any], metadata: Metadata,
                         idempotency_key: str | None) -> CommandResult:
    """`changes` names only the fields to change (None clears a field)."""
    cleaned = dict(changes)
    for name in ("contact_phone", "sms_phone"):
        if cleaned.get(name):
            cleaned[name] = normalize_phone(cleaned[name])
    if cleaned.get("email"):
        cleaned["email"] = normalize_email(cleaned["email"])
    passport_given = "passport" in cleaned
    passport = cleaned.pop("passport", None)
    if passport_given:
        cleaned["passport_masked"] = mask_passport(passport) if passport else None
    now = ctx.clock.now()

    async def store_passport(conn: Connection, user: CabinetUser, recorded: list[RecordedEvent]) -> None:
        if passport_given:
            await ctx.credentials.save_passport(conn, user_id, passport, now)
        if recorded and "sms_phone" in cleaned:
            # A code sent to the previous SMS phone must not confirm the new one.
            await ctx.credentials.drop_code(conn, user_id, "phone_confirmation",
                                            unless_target=user.profile.sms_phone)

    return await execute(
        ctx.store, CabinetUser, stream_id_for(user_id),
        lambda user: user.change_profile(replace(user.profile, **cleaned)),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "update-profile", user_id),
        request=changes,
        respond=lambda user, _: {"user_id": user_id, **user.profile.as_dict()},
        in_transaction=store_passport,
    )


async def _with_sms_phone(ctx: Accounts, user_id: str) -> tuple[CabinetUser, str]:
    """The user and the SMS phone of their profile, or `profile.no_sms_phone`."""
    async with ctx.store.pool.acquire() as conn:
        user = await load_aggregate(ctx.store, conn, CabinetUser, stream_id_for(user_id))
    user.require()
    phone = user.profile.sms_phone
    if not phone:
        raise DomainError("profile.no_sms_phone", "set an SMS phone first")
    return user, phone


async def send_sms_phone_code(ctx: Accounts, user_id: str) -> dict[str, Any]:
    """Send a code to the profile's (unconfirmed) SMS phone."""
    user, phone = await _with_sms_phone(ctx, user_id)
    if user.profile.sms_phone_confirmed:
        return {"sent": False, "sms_phone_confirmed": True}
    code = new_code()
    code_hash = await ctx.hasher.hash(code)
    now = ctx.clock.now()
    expires_at = now + ctx.login_code_ttl
    async with ctx.store.pool.acquire() as conn:
        await ctx.credentials.save_code(conn, user_id, "phone_confirmation", code_hash, expires_at, now,
                                        target=phone)
    await ctx.courier.deliver("phone_confirmation_code", user_id, user.account_ids, "sms", phone,
                              user.profile.language, code, expires_at)
    return {"sent": True, "expires_at": expires_at.isoformat()}


async def confirm_sms_phone(ctx: Accounts, user_id: str, code: str, metadata: Metadata) -> CommandResult:
    """The code confirms only the SMS phone it was sent to, and only while that is still the
    profile's SMS phone (checked again by the command, against a change in between)."""
    _, phone = await _with_sms_phone(ctx, user_id)
    await consume_code(ctx, user_id, "phone_confirmation", code, target=phone)

    async def adopt(conn: Connection, user: CabinetUser, recorded: list[RecordedEvent]) -> None:
        if recorded and user.profile.sms_phone:
            await ctx.credentials.adopt_phone(conn, user_id, user.profile.sms_phone)

    return await execute(
        ctx.store, CabinetUser, stream_id_for(user_id), lambda user: user.confirm_sms_phone(phone),
        metadata=metadata, now=ctx.clock.now(), in_transaction=adopt,
        respond=lambda user, _: {"user_id": user_id, **user.profile.as_dict()},
    )


async def change_preferences(ctx: Accounts, user_id: str, preferences: dict[str, list[Channel]],
                             metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    return await execute(
        ctx.store, CabinetUser, stream_id_for(user_id), lambda user: user.change_preferences(preferences),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "change-preferences", user_id),
        request=preferences,
        respond=lambda user, _: {"user_id": user_id, "preferences": user.preferences},
    )
