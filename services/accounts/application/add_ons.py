"""Use cases of add-ons from the cabinet: a subscriber connects or disconnects one on a line, as
the line's tariff allows (domain/account.py); an organization admin applies one add-on action to a
list of the organization's subscribers (EXTRAS #22), all
or nothing. Each change is an `AddOnConnected`/`AddOnDisconnected` fact with its monthly fee, which
is how it becomes a charge (invoicing charges add-ons from these facts)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from services.accounts.application.context import Accounts
from services.accounts.domain.account import PersonalAccount, stream_id_for
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.errors import ConcurrencyConflict, DomainError, NotFound
from shared.events import DomainEvent
from shared.eventstore import Metadata, fingerprint

__all__ = ["Action", "BulkItem", "add_on_options", "apply_to_subscribers", "change_add_on"]

Action = Literal["connect", "disconnect"]


def _decide(ctx: Accounts, account: PersonalAccount, line_id: str, action: Action, service_id: str,
            today: date) -> list[DomainEvent]:
    add_on = ctx.catalogue.add_on(service_id)
    tariff = ctx.catalogue.tariff(account.line(line_id).tariff_id)
    if action == "connect":
        return account.connect_add_on_by_subscriber(line_id, tariff, add_on, today)
    return account.disconnect_add_on_by_subscriber(line_id, tariff, add_on, today)


async def change_add_on(ctx: Accounts, account_id: str, line_id: str, action: Action, service_id: str,
                        metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    ctx.catalogue.add_on(service_id)  # 404 add_on.not_found before anything
    today = ctx.today()
    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id),
        lambda account: _decide(ctx, account, line_id, action, service_id, today),
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", f"{action}-add-on", account_id),
        request={"line_id": line_id, "service_id": service_id, "action": action},
        respond=lambda account, _: {"account_id": account_id, "line_id": line_id, "service_id": service_id,
                                    "connected": service_id in account.lines[line_id].add_ons},
    )


async def add_on_options(ctx: Accounts, account_id: str, line_id: str) -> dict[str, Any]:
    """The add-ons of the line's kind: price, whether connected, whether the subscriber may change it."""
    async with ctx.store.pool.acquire() as conn:
        account = await load_aggregate(ctx.store, conn, PersonalAccount, stream_id_for(account_id))
    line = account.line(line_id)
    tariff = ctx.catalogue.tariff(line.tariff_id)
    return {"account_id": account_id, "line_id": line_id, "tariff_id": tariff.tariff_id, "add_ons": [
        {"service_id": a.service_id, "name": a.name, "monthly_fee": str(a.monthly_fee),
         "connected": a.service_id in line.add_ons, "self_service": a.service_id in tariff.self_service_add_ons}
        for a in ctx.catalogue.add_ons(line.kind)]}


@dataclass(frozen=True)
class BulkItem:
    account_id: str
    line_id: str


class BulkRefused(DomainError):
    """Not one line changed: every refused line with its error's code."""

    def __init__(self, refused: list[dict[str, str]]) -> None:
        super().__init__("add_on.bulk_refused", f"{len(refused)} of the lines cannot take this action; none changed",
                         refused=refused)


async def apply_to_subscribers(ctx: Accounts, organization_id: str, action: Action, service_id: str,
                               items: Sequence[BulkItem], metadata: Metadata,
                               idempotency_key: str | None) -> dict[str, Any]:
    """All or nothing: every account is loaded and every line decided in one transaction, and the
    events are appended there only if no line is refused; a concurrent writer to any of the
    accounts makes the whole batch decide again (bounded, like `execute`)."""
    ctx.catalogue.add_on(service_id)
    lines = await ctx.store.pool.fetch(
        "SELECT account_id, line_id FROM subscriber_lines WHERE organization_id = $1 AND line_id = ANY($2)",
        organization_id, [item.line_id for item in items])
    owned = {(r["account_id"], r["line_id"]) for r in lines}
    for item in items:
        if (item.account_id, item.line_id) not in owned:
            raise NotFound("line.not_found", f"line {item.line_id} not found")
    key = scoped_key(idempotency_key, metadata.actor or "", "bulk-add-on", organization_id)
    request = {"action": action, "service_id": service_id, "items": [(i.account_id, i.line_id) for i in items]}
    for attempt in range(8):
        try:
            return await _apply_once(ctx, action, service_id, items, metadata, key, request)
        except ConcurrencyConflict:
            if attempt == 7:
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")


async def _apply_once(ctx: Accounts, action: Action, service_id: str, items: Sequence[BulkItem],
                      metadata: Metadata, key: str | None, request: Any) -> dict[str, Any]:
    now, today = ctx.clock.now(), ctx.today()
    async with ctx.store.pool.acquire() as conn, conn.transaction():
        if key is not None:
            first = await ctx.store.claim_idempotency_key(conn, key, fingerprint(request))
            if first is not None:
                return {**first, "replayed": True}
        accounts: dict[str, PersonalAccount] = {}
        decided: dict[str, list[DomainEvent]] = {}
        refused: list[dict[str, str]] = []
        for item in items:
            if item.account_id not in accounts:
                accounts[item.account_id] = await load_aggregate(ctx.store, conn, PersonalAccount,
                                                                 stream_id_for(item.account_id))
                decided[item.account_id] = []
            account = accounts[item.account_id]
            try:
                events = _decide(ctx, account, item.line_id, action, service_id, today)
            except DomainError as error:
                refused.append({"account_id": item.account_id, "line_id": item.line_id, "error": error.code})
                continue
            account.replay(events)  # the next line of the same account decides on this one's outcome
            decided[item.account_id].extend(events)
        if refused:
            raise BulkRefused(refused)
        changed = []
        for account_id, events in decided.items():
            account = accounts[account_id]
            recorded = await ctx.store.append(
                conn, stream_id=account.stream_id, stream_type=PersonalAccount.stream_type,
                expected_version=account.version - len(events), events=events, metadata=metadata, occurred_at=now)
            changed.append({"account_id": account_id, "stream_id": account.stream_id,
                            "stream_version": account.version, "events": len(recorded)})
        result = {"action": action, "service_id": service_id, "lines": len(items), "changed": changed}
        if key is not None:
            await ctx.store.remember_result(conn, key, result)
        return {**result, "replayed": False}
