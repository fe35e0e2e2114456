"""Use case: change a line's service password (internet PPPoE login, TV account; EXTRAS #14, #15).

The rules decide first (domain/account.py, domain/rules.py); then, in the command's transaction,
the password is handed to the network (`NetworkAccess`): if the network refuses or cannot be
reached the transaction rolls back and nothing is recorded. The event says only that it changed;
the password is in no event, no table, no log line, and not in the idempotency record (its
fingerprint covers the line, not the secret)."""

from __future__ import annotations

from services.accounts.application.context import Accounts
from services.accounts.domain.account import PersonalAccount, stream_id_for
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection
from shared.eventstore import Metadata, RecordedEvent

__all__ = ["change_service_password"]


async def change_service_password(ctx: Accounts, account_id: str, line_id: str, password: str, metadata: Metadata,
                                  idempotency_key: str | None) -> CommandResult:
    now = ctx.clock.now()

    async def hand_over(_: Connection, account: PersonalAccount, recorded: list[RecordedEvent]) -> None:
        if recorded:
            line = account.lines[line_id]
            await ctx.network.set_service_password(account_id, line_id, line.kind, line.identifier, password)

    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.change_service_password(line_id, password, now),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "service-password", account_id),
        request={"line_id": line_id, "at": now.isoformat()},
        respond=lambda account, _: {"account_id": account_id, "line_id": line_id,
                                    "kind": account.lines[line_id].kind, "changed_at": now.isoformat()},
        in_transaction=hand_over,
    )
