"""Use cases on one subscriber line: the multichannel package, mobile internet, pause, the SIP
password. Each runs through `shared.commands.execute` on the line's stream (`tline-<line>`) and
writes the line's row in the same transaction; a client's key is remembered per actor and line."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from services.telephony.application.context import Telephony
from services.telephony.domain.directory import TariffTerm, tariff_on
from services.telephony.domain.events import (
    ChannelPackageChanged,
    LinePaused,
    LineResumed,
    MobileInternetChanged,
    SipPasswordChanged,
)
from services.telephony.domain.line import TelephonyLine, stream_id_for
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.db import Connection
from shared.errors import DomainError, NotFound
from shared.events import DomainEvent
from shared.eventstore import Metadata, RecordedEvent

__all__ = ["change_channels", "change_sip_password", "line_of", "review_channels", "set_internet", "set_paused"]

PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


async def line_of(ctx: Telephony, account_id: str, line_id: str) -> dict[str, Any]:
    row = await ctx.pool.fetchrow("SELECT line_id, account_id, kind, identifier, subscriber_name, tariffs, closed_on"
                                  " FROM lines WHERE line_id = $1 AND account_id = $2", line_id, account_id)
    if row is None:
        raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
    return dict(row)


def _tariff_id(ctx: Telephony, line: dict[str, Any]) -> str:
    term = tariff_on([TariffTerm.model_validate(t) for t in line["tariffs"]], ctx.today())
    return term.tariff_id if term is not None else ""


async def _settings(conn: Connection, line_id: str, assignments: str, *values: Any) -> None:
    """Write the line's own settings (`line_settings`: not the projection's table, which a rebuild replaces)."""
    await conn.execute("INSERT INTO line_settings (line_id) VALUES ($1) ON CONFLICT DO NOTHING", line_id)
    await conn.execute(f"UPDATE line_settings SET {assignments} WHERE line_id = $1", line_id, *values)


async def _record(conn: Connection, recorded: list[RecordedEvent], ctx: Telephony) -> None:
    for r in recorded:
        event = r.to_domain(ctx.store.registry)
        match event:
            case ChannelPackageChanged():
                await _settings(conn, event.line_id, "channels = $2, channels_changed_at = $3",
                                event.to_channels, event.effective_at)
            case MobileInternetChanged():
                await _settings(conn, event.line_id, "internet_enabled = $2, internet_package = $3",
                                event.enabled, event.package)
            case LinePaused() | LineResumed():
                await _settings(conn, event.line_id, "paused = $2", isinstance(event, LinePaused))
            case SipPasswordChanged():
                await _settings(conn, event.line_id, "password_changed_at = $2", event.at)


async def _run(ctx: Telephony, line: dict[str, Any], command: str,
               decide: Callable[[TelephonyLine], Sequence[DomainEvent]], metadata: Metadata, key: str | None,
               request: dict[str, Any]) -> CommandResult:
    async def record(conn: Connection, _: TelephonyLine, recorded: list[RecordedEvent]) -> None:
        await _record(conn, recorded, ctx)

    def respond(state: TelephonyLine, _: list[RecordedEvent]) -> dict[str, Any]:
        next_change = state.next_change_at()
        return {"account_id": line["account_id"], "line_id": line["line_id"], "channels": state.channels,
                "next_change_at": next_change.isoformat() if next_change else None,
                "internet_enabled": state.internet_enabled, "internet_package": state.internet_package,
                "paused": state.paused}

    return await execute(
        ctx.store, TelephonyLine, stream_id_for(line["line_id"]), decide, metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(key, metadata.actor, command, line["line_id"]), request=request,
        respond=respond, in_transaction=record,
    )


async def change_channels(ctx: Telephony, account_id: str, line_id: str, channels: int, metadata: Metadata,
                          key: str | None) -> CommandResult:
    line = await line_of(ctx, account_id, line_id)
    tariff_id = _tariff_id(ctx, line)
    now = ctx.clock.now()
    return await _run(ctx, line, "change_channels",
                      lambda state: state.change_channels(account_id, line_id, tariff_id, channels, now),
                      metadata, key, {"channels": channels})


async def set_internet(ctx: Telephony, account_id: str, line_id: str, enabled: bool, package: str | None,
                       metadata: Metadata, key: str | None) -> CommandResult:
    line = await line_of(ctx, account_id, line_id)
    now = ctx.clock.now()
    return await _run(ctx, line, "set_internet",
                      lambda state: state.set_internet(account_id, line_id, line["kind"], enabled, package, now),
                      metadata, key, {"enabled": enabled, "package": package})


async def set_paused(ctx: Telephony, account_id: str, line_id: str, paused: bool, metadata: Metadata,
                     key: str | None) -> CommandResult:
    line = await line_of(ctx, account_id, line_id)
    now = ctx.clock.now()
    return await _run(ctx, line, "set_paused",
                      lambda state: state.pause(account_id, line_id, line["kind"], paused, now),
                      metadata, key, {"paused": paused})


async def change_sip_password(ctx: Telephony, account_id: str, line_id: str, password: str | None,
                              metadata: Metadata) -> tuple[CommandResult, str | None]:
    """Hand the new auth password to the switch (the port), then record that it changed (never the
    secret). Without a password one is generated and answered once. No idempotency key: a repeat sets
    the password again."""
    line = await line_of(ctx, account_id, line_id)
    if line["kind"] != "sip":
        raise DomainError("sip.not_sip", "SIP settings are for SIP lines")
    generated = None
    if password is None:
        password = generated = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(16))
    await ctx.switch.set_password(line["identifier"], password)
    now = ctx.clock.now()
    result = await _run(ctx, line, "change_sip_password",
                        lambda state: state.password_changed(account_id, line_id, line["kind"], now),
                        metadata, None, {})
    return result, generated


async def review_channels(ctx: Telephony, account_id: str, line_id: str, channels: int) -> dict[str, Any]:
    """The review step before confirming (seed 004: «шаг просмотра и подтверждения»): what the change
    would be, decided on the line's current state, appending nothing; refused as the change would be."""
    line = await line_of(ctx, account_id, line_id)
    tariff_id = _tariff_id(ctx, line)
    async with ctx.pool.acquire() as conn:
        state = await load_aggregate(ctx.store, conn, TelephonyLine, stream_id_for(line_id))
    [event] = state.change_channels(account_id, line_id, tariff_id, channels, ctx.clock.now())
    assert isinstance(event, ChannelPackageChanged)
    return {"account_id": account_id, "line_id": line_id, "from_channels": event.from_channels,
            "from_monthly_fee": None if event.from_monthly_fee is None else str(event.from_monthly_fee),
            "to_channels": event.to_channels, "name": event.name, "monthly_fee": str(event.monthly_fee),
            "vat_rate": str(event.vat_rate), "effective_at": event.effective_at.isoformat(),
            "next_change_at": event.next_change_at.isoformat()}
