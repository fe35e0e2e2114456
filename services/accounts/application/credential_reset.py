"""Use case: support restores a subscriber's access (seed 000, EXTRAS #1: «назвать номер вашего
договора и ФИО»). The operator gives the contract number (the cabinet login) and the full name;
if they match a user, a temporary password valid 24 h (changed at first login) is stored as a
hash and sent through the notifications service to the user's e-mail, else the login phone.
The operator never sees it; it is in no event, answer or log line."""

from __future__ import annotations

from typing import Any

from services.accounts.application.context import Accounts
from services.accounts.application.secrets import new_temporary_password
from services.accounts.domain.user import CabinetUser, stream_id_for
from shared.commands import execute
from shared.db import Connection
from shared.errors import DomainError
from shared.eventstore import Metadata, RecordedEvent
from shared.logging import get_logger

__all__ = ["reset_credentials"]

log = get_logger(__name__)


async def reset_credentials(ctx: Accounts, contract_number: str, full_name: str, operator_id: str,
                            metadata: Metadata) -> dict[str, Any]:
    row = await ctx.credentials.find(contract_number)
    if row is None or row.login != contract_number:  # the contract number is the login, not a phone
        await ctx.hasher.hash(new_temporary_password())  # about as long as for a known contract
        raise DomainError("credentials.identity_mismatch", "no subscriber with this contract number and full name")
    password = new_temporary_password()
    password_hash = await ctx.hasher.hash(password)
    now = ctx.clock.now()
    expires_at = now + ctx.temporary_password_ttl
    user_id = row.user_id

    async def store_hash(conn: Connection, _: CabinetUser, __: list[RecordedEvent]) -> None:
        await ctx.credentials.set_temporary(conn, user_id, password_hash, expires_at, now)

    result = await execute(
        ctx.store, CabinetUser, stream_id_for(user_id),
        lambda user: user.reset_by_operator(full_name, operator_id, expires_at),
        metadata=metadata, now=now, in_transaction=store_hash,
        respond=lambda user, recorded: {
            "user_id": user_id, "account_ids": user.account_ids, "language": user.profile.language,
            "channel": recorded[-1].payload["channel"], "address_masked": recorded[-1].payload["address_masked"],
            "address": user.profile.email if recorded[-1].payload["channel"] == "email" else user.phone},
    )
    body = result.body
    await ctx.courier.deliver("temporary_password", user_id, body["account_ids"], body["channel"], body["address"],
                              body["language"], password, expires_at)
    log.info("credentials.reset_by_operator", user_id=user_id, operator_id=operator_id, channel=body["channel"])
    return {"user_id": user_id, "channel": body["channel"], "address_masked": body["address_masked"],
            "expires_at": expires_at.isoformat(), "stream_id": result.stream_id,
            "stream_version": result.stream_version}
