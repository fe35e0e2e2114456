"""Use cases of cabinet login: password (or temporary password), SMS one-time code, recovery,
password change. Each answers the user's claims or a domain error; secrets reach the courier only
after the transaction that stored their hash committed."""

from __future__ import annotations

from services.accounts.application.context import Accounts
from services.accounts.application.secrets import consume_code, new_code, new_temporary_password
from services.accounts.domain.rules import check_new_password
from services.accounts.domain.user import CabinetUser, Claims, stream_id_for
from shared.commands import CommandResult, execute, load_aggregate
from shared.db import Connection
from shared.errors import DomainError, Forbidden, Unauthenticated, ValidationFailed
from shared.eventstore import Metadata, RecordedEvent
from shared.logging import get_logger

__all__ = ["change_password", "claims_of", "recover_password", "send_login_code", "verify_code", "verify_password"]

WRONG = "wrong login or password"

log = get_logger(__name__)


async def claims_of(ctx: Accounts, user_id: str, *, temporary: bool = False) -> Claims:
    async with ctx.store.pool.acquire() as conn:
        user = await load_aggregate(ctx.store, conn, CabinetUser, stream_id_for(user_id))
    return user.claims(temporary=temporary)


async def verify_password(ctx: Accounts, login: str, password: str) -> Claims:
    row = await ctx.credentials.find(login)
    if await ctx.hasher.verify(row.password_hash if row else None, password):
        assert row is not None
        return await claims_of(ctx, row.user_id)
    if row is None or not row.temporary_hash or not await ctx.hasher.verify(row.temporary_hash, password):
        raise Unauthenticated("auth.invalid_credentials", WRONG)
    assert row.temporary_expires_at is not None
    if row.temporary_expires_at <= ctx.clock.now():
        raise Unauthenticated("auth.temporary_password_expired",
                              "the temporary password has expired; ask for a new one")
    return await claims_of(ctx, row.user_id, temporary=True)


async def send_login_code(ctx: Accounts, phone: str, metadata: Metadata) -> None:
    """Send a one-time SMS code to a registered phone; an unknown phone gets nothing, silently
    (the answer must not tell who is a subscriber)."""
    row = await ctx.credentials.find(phone)
    if row is None or row.phone is None:
        return
    code = new_code()
    code_hash = await ctx.hasher.hash(code)
    now = ctx.clock.now()
    expires_at = now + ctx.login_code_ttl
    user_id, address = row.user_id, row.phone

    async def store_hash(conn: Connection, _: CabinetUser, __: list[RecordedEvent]) -> None:
        await ctx.credentials.save_code(conn, user_id, "login", code_hash, expires_at, now)

    result = await execute(
        ctx.store, CabinetUser, stream_id_for(user_id),
        lambda user: user.issue_login_code(address, expires_at),
        metadata=metadata, now=now, in_transaction=store_hash,
        respond=lambda user, _: {"account_ids": user.account_ids, "language": user.profile.language},
    )
    await ctx.courier.deliver("login_code", user_id, result.body["account_ids"], "sms", address,
                              result.body["language"], code, expires_at)


async def verify_code(ctx: Accounts, phone: str, code: str) -> Claims:
    row = await ctx.credentials.find(phone)
    if row is None or row.phone is None:
        await ctx.hasher.verify(None, code)
        raise Unauthenticated("auth.code_invalid", "the code is wrong; ask for a new one")
    await consume_code(ctx, row.user_id, "login", code)
    return await claims_of(ctx, row.user_id)


async def recover_password(ctx: Accounts, login: str, metadata: Metadata) -> None:
    """E-mail a temporary password valid 24 h that must be changed at first use (seed 004).
    An unknown login, a user without an e-mail and a failed delivery all get the same silent
    success (the answer must not tell who is a subscriber); the reason is logged, without secrets."""
    row = await ctx.credentials.find(login)
    if row is None:
        await ctx.hasher.hash(new_temporary_password())  # about as long as for a known login
        log.info("recovery.not_sent", reason="unknown_login")
        return
    password = new_temporary_password()
    password_hash = await ctx.hasher.hash(password)
    now = ctx.clock.now()
    expires_at = now + ctx.temporary_password_ttl
    user_id = row.user_id

    async def store_hash(conn: Connection, _: CabinetUser, __: list[RecordedEvent]) -> None:
        await ctx.credentials.set_temporary(conn, user_id, password_hash, expires_at, now)

    try:
        result = await execute(
            ctx.store, CabinetUser, stream_id_for(user_id),
            lambda user: user.issue_temporary_password(expires_at),
            metadata=metadata, now=now, in_transaction=store_hash,
            respond=lambda user, _: {"account_ids": user.account_ids, "language": user.profile.language,
                                     "email": user.profile.email},
        )
        body = result.body
        await ctx.courier.deliver("temporary_password", user_id, body["account_ids"], "email", body["email"],
                                  body["language"], password, expires_at)
    except DomainError as error:  # recovery.no_email, secret.not_delivered, ...
        log.warning("recovery.not_sent", reason=error.code, user_id=user_id)


async def change_password(ctx: Accounts, user_id: str, current: str, new: str, metadata: Metadata) -> CommandResult:
    row = await ctx.credentials.get(user_id)
    if row is None:
        raise Unauthenticated("auth.invalid_credentials", WRONG)
    now = ctx.clock.now()
    temporary_ok = bool(row.temporary_hash and row.temporary_expires_at and row.temporary_expires_at > now)
    if not (await ctx.hasher.verify(row.password_hash, current)
            or (temporary_ok and await ctx.hasher.verify(row.temporary_hash, current))):
        raise Forbidden("password.current_wrong", "the current password is wrong")
    check_new_password(new, row.login)
    if new == current:
        raise ValidationFailed("password.unchanged", "the new password must differ from the current one")
    new_hash = await ctx.hasher.hash(new)

    async def store_hash(conn: Connection, _: CabinetUser, __: list[RecordedEvent]) -> None:
        await ctx.credentials.set_password(conn, user_id, new_hash, now)

    return await execute(
        ctx.store, CabinetUser, stream_id_for(user_id), lambda user: user.change_password(now),
        metadata=metadata, now=now, in_transaction=store_hash,
        respond=lambda user, _: user.claims().as_dict(),
    )
