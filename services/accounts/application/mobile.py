"""Use cases of a mobile line's extras (seed 003; domain/mobile.py): the office records the SIM
codes and the closed user group; the subscriber or the organization's admin sees them, and sets
call forwarding and voicemail "Plus"'s e-mail copy, which are handed to the network (`NetworkAccess`)
in the command's transaction: if the network does not take it, nothing is recorded."""

from __future__ import annotations

from typing import Any

from services.accounts.application.context import Accounts
from services.accounts.domain.account import PersonalAccount, stream_id_for
from services.accounts.domain.mobile import VOICEMAIL_PLUS
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.db import Connection
from shared.eventstore import Metadata, RecordedEvent

__all__ = ["mobile_page", "record_sim_codes", "set_closed_user_group", "set_forwarding", "set_voicemail_copy",
           "sim_page"]


def _respond(line_id: str) -> Any:
    def respond(account: PersonalAccount, _: list[RecordedEvent]) -> dict[str, Any]:
        return {"account_id": account.account_id, "line_id": line_id, **_settings(account, line_id)}
    return respond


def _settings(account: PersonalAccount, line_id: str) -> dict[str, Any]:
    line = account.lines[line_id]
    plus = VOICEMAIL_PLUS in line.add_ons
    return {"closed_user_group": line.closed_user_group, "call_forwarding": dict(line.forwarding),
            "voicemail_plus": plus, "voicemail_copy": line.voicemail_copy if plus else None}


async def record_sim_codes(ctx: Accounts, account_id: str, line_id: str, codes: dict[str, str],
                           metadata: Metadata) -> CommandResult:
    now = ctx.clock.now()

    async def keep(conn: Connection, _: PersonalAccount, __: list[RecordedEvent]) -> None:
        await conn.execute(
            "INSERT INTO sim_codes (line_id, account_id, pin1, puk1, pin2, puk2, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (line_id) DO UPDATE SET pin1 = $3, puk1 = $4,"
            " pin2 = $5, puk2 = $6, recorded_at = $7",
            line_id, account_id, codes["pin1"], codes["puk1"], codes["pin2"], codes["puk2"], now)

    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.mobile(line_id).record_sim_codes(codes["pin1"], codes["puk1"], codes["pin2"],
                                                                 codes["puk2"], now),
        metadata=metadata, now=now, in_transaction=keep, respond=_respond(line_id),
    )


async def set_closed_user_group(ctx: Accounts, account_id: str, line_id: str, group: str | None,
                                metadata: Metadata) -> CommandResult:
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.mobile(line_id).set_closed_user_group(group),
        metadata=metadata, now=ctx.clock.now(), respond=_respond(line_id),
    )


async def _network_setting(ctx: Accounts, account_id: str, line_id: str, decide: Any, setting: str, value: Any,
                           metadata: Metadata, idempotency_key: str | None, command: str) -> CommandResult:
    async def hand_over(_: Connection, __: PersonalAccount, recorded: list[RecordedEvent]) -> None:
        if recorded:
            await ctx.network.apply_line_setting(account_id, line_id, setting, recorded[-1].payload[value])

    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id), decide,
        metadata=metadata, now=ctx.clock.now(), in_transaction=hand_over, respond=_respond(line_id),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", command, account_id, line_id),
        request={"setting": setting, "line_id": line_id, "decide": command},
    )


async def set_forwarding(ctx: Accounts, account_id: str, line_id: str, condition: str, target: str | None,
                         metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    return await _network_setting(
        ctx, account_id, line_id, lambda account: account.mobile(line_id).set_forwarding(condition, target),
        f"call_forwarding.{condition}", "target", metadata, idempotency_key, f"forwarding-{condition}-{target}")


async def set_voicemail_copy(ctx: Accounts, account_id: str, line_id: str, email: str | None, metadata: Metadata,
                             idempotency_key: str | None) -> CommandResult:
    return await _network_setting(
        ctx, account_id, line_id, lambda account: account.mobile(line_id).set_voicemail_copy(email),
        "voicemail_copy", "email", metadata, idempotency_key, f"voicemail-copy-{email}")


async def mobile_page(ctx: Accounts, account_id: str, line_id: str) -> dict[str, Any]:
    async with ctx.store.pool.acquire() as conn:
        account = await load_aggregate(ctx.store, conn, PersonalAccount, stream_id_for(account_id))
    account.mobile(line_id)
    return {"account_id": account_id, "line_id": line_id, **_settings(account, line_id)}


async def sim_page(ctx: Accounts, account_id: str, line_id: str) -> dict[str, Any]:
    """The SIM codes (null until the office records them) and the closed user group."""
    page = await mobile_page(ctx, account_id, line_id)
    row = await ctx.store.pool.fetchrow("SELECT pin1, puk1, pin2, puk2 FROM sim_codes WHERE line_id = $1"
                                        " AND account_id = $2", line_id, account_id)
    return {"account_id": account_id, "line_id": line_id, "closed_user_group": page["closed_user_group"],
            "codes": dict(row) if row else None}
