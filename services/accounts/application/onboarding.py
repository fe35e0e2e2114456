"""Use cases of the operator's office (and the demo loader): register a client, open an account,
add service lines and add-on services, close an account."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal

from services.accounts.application.context import Accounts
from services.accounts.domain import client as clients
from services.accounts.domain.account import PersonalAccount, stream_id_for
from services.accounts.domain.client import Client, ClientDetails
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.db import Connection
from shared.eventstore import Metadata, RecordedEvent

__all__ = ["add_line", "close_account", "connect_add_on", "disconnect_add_on", "open_account", "register_client"]


async def register_client(ctx: Accounts, client_id: str, details: ClientDetails, metadata: Metadata,
                          idempotency_key: str | None) -> CommandResult:
    return await execute(
        ctx.store, Client, clients.stream_id_for(client_id), lambda c: c.register(details),
        metadata=metadata, now=ctx.clock.now(),
        # Without a client's key, the client id is the key: registering it twice registers it once.
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "register-client", client_id)
        or f"client:{client_id}",
        request=asdict(details),
        respond=lambda c, _: {"client_id": c.client_id},
    )


async def open_account(ctx: Accounts, account_id: str, client_id: str, opened_at: datetime | None,
                       opening_balance: Decimal, metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    async with ctx.store.pool.acquire() as conn:
        client = await load_aggregate(ctx.store, conn, Client, clients.stream_id_for(client_id))
    now = ctx.clock.now()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.open(client, opened_at or now, opening_balance),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "open-account", account_id)
        or f"account:{account_id}",
        request={"client_id": client_id, "opened_at": opened_at, "opening_balance": str(opening_balance)},
        respond=lambda a, _: {"account_id": a.account_id, "financially_blocked": a.financially_blocked},
    )


async def add_line(ctx: Accounts, account_id: str, line_id: str, identifier: str, subscriber_name: str,
                   tariff_id: str, metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    tariff = ctx.catalogue.tariff(tariff_id)

    async def index_line(conn: Connection, account: PersonalAccount, recorded: list[RecordedEvent]) -> None:
        line = account.lines[line_id]
        await conn.execute(
            "INSERT INTO subscriber_lines (line_id, account_id, organization_id, kind, identifier,"
            " subscriber_name, tariff_name) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            line_id, account_id, account.organization_id, line.kind, line.identifier, line.subscriber_name,
            tariff.name,
        )

    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.add_line(line_id, identifier, subscriber_name, tariff),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "add-line", account_id) or f"line:{line_id}",
        request={"account_id": account_id, "identifier": identifier, "name": subscriber_name, "tariff": tariff_id},
        respond=lambda _a, _r: {"account_id": account_id, "line_id": line_id},
        in_transaction=index_line,
    )


async def connect_add_on(ctx: Accounts, account_id: str, line_id: str, service_id: str, on: date | None,
                         metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    add_on = ctx.catalogue.add_on(service_id)
    day = on or ctx.today()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.connect_add_on(line_id, add_on, day),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "connect-add-on", account_id),
        request={"account_id": account_id, "line_id": line_id, "service_id": service_id, "on": day},
        respond=lambda _a, _r: {"account_id": account_id, "line_id": line_id, "service_id": service_id},
    )


async def disconnect_add_on(ctx: Accounts, account_id: str, line_id: str, service_id: str, on: date | None,
                            metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    add_on = ctx.catalogue.add_on(service_id)
    day = on or ctx.today()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: account.disconnect_add_on(line_id, add_on, day),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "disconnect-add-on", account_id),
        request={"account_id": account_id, "line_id": line_id, "service_id": service_id, "off": day},
        respond=lambda _a, _r: {"account_id": account_id, "line_id": line_id, "service_id": service_id},
    )


async def close_account(ctx: Accounts, account_id: str, metadata: Metadata,
                        idempotency_key: str | None) -> CommandResult:
    now = ctx.clock.now()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id), lambda account: account.close(now),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "close-account", account_id),
        request={"close": account_id},
        respond=lambda _a, _r: {"account_id": account_id},
    )
