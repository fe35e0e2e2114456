"""Use cases on service lines: a subscriber changes a tariff; an organization admin renames
subscribers (one or many) and searches them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from services.accounts.application.context import Accounts
from services.accounts.domain.account import PersonalAccount, stream_id_for
from services.accounts.domain.rules import check_rename_window
from shared.calendar import local_date
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection
from shared.errors import DomainError, NotFound
from shared.eventstore import Metadata, RecordedEvent
from shared.paging import page_of

__all__ = ["Rename", "RenameRefused", "change_tariff", "rename_subscribers", "search_subscribers"]


async def change_tariff(ctx: Accounts, account_id: str, line_id: str, tariff_id: str,
                        mode: Literal["next_period", "now"], metadata: Metadata,
                        idempotency_key: str | None) -> CommandResult:
    target = ctx.catalogue.tariff(tariff_id)
    today = ctx.today()

    def decide(account: PersonalAccount) -> list[Any]:
        current = ctx.catalogue.tariff(account.line(line_id).tariff_id)
        return account.change_tariff(line_id, current, target, mode, today)

    async def index(conn: Connection, _: PersonalAccount, recorded: list[RecordedEvent]) -> None:
        if recorded:
            await conn.execute("UPDATE subscriber_lines SET tariff_name = $2 WHERE line_id = $1", line_id, target.name)

    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id), decide,
        metadata=metadata, now=ctx.clock.now(),
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "change-tariff", account_id),
        request={"account_id": account_id, "line_id": line_id, "tariff_id": tariff_id, "mode": mode},
        respond=lambda account, recorded: {
            "account_id": account_id, "line_id": line_id, "tariff_id": tariff_id, "mode": mode,
            "effective_from": recorded[-1].payload["effective_from"] if recorded else None,
        },
        in_transaction=index,
    )


@dataclass(frozen=True)
class Rename:
    account_id: str
    line_id: str
    subscriber_name: str


@dataclass(frozen=True)
class RenameRefused:
    """One rename of a batch that failed alone, with its error's code."""

    line_id: str
    account_id: str
    error: str


async def rename_subscribers(ctx: Accounts, organization_id: str | None, renames: list[Rename],
                             metadata: Metadata, idempotency_key: str | None) -> list[CommandResult | RenameRefused]:
    """Rename each line: each is its own command; one rename fails alone (refused with its error
    code), except when there is only one. With `organization_id`, every line must belong to that
    organization."""
    now = ctx.clock.now()
    today = local_date(now, ctx.timezone)
    check_rename_window(today)
    if organization_id is not None:
        owned = await ctx.store.pool.fetch(
            "SELECT line_id, account_id FROM subscriber_lines WHERE organization_id = $1 AND line_id = ANY($2)",
            organization_id, [r.line_id for r in renames],
        )
        mine = {(r["account_id"], r["line_id"]) for r in owned}
        for rename in renames:
            if (rename.account_id, rename.line_id) not in mine:
                raise NotFound("line.not_found", f"line {rename.line_id} not found")
    results: list[CommandResult | RenameRefused] = []
    for index, rename in enumerate(renames):

        async def update_index(conn: Connection, _: PersonalAccount, recorded: list[RecordedEvent],
                               r: Rename = rename) -> None:
            if recorded:
                await conn.execute("UPDATE subscriber_lines SET subscriber_name = $2 WHERE line_id = $1",
                                   r.line_id, recorded[-1].payload["subscriber_name"])

        try:
            result = await execute(
                ctx.store, PersonalAccount, stream_id_for(rename.account_id),
                lambda account, r=rename: account.rename(r.line_id, r.subscriber_name, now, today),  # type: ignore[misc]
                metadata=metadata, now=now,
                # One key for the batch: each item is remembered under it with its place in the batch.
                idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "rename-subscribers",
                                           rename.account_id, str(index)),
                request={"line_id": rename.line_id, "name": rename.subscriber_name},
                respond=lambda _a, _r, r=rename: {"line_id": r.line_id, "account_id": r.account_id},  # type: ignore[misc]
                in_transaction=update_index,
            )
        except DomainError as error:
            if len(renames) == 1:
                raise
            results.append(RenameRefused(rename.line_id, rename.account_id, error.code))
            continue
        results.append(result)
    return results


_SUBSCRIBER_FIELDS = ("line_id", "account_id", "kind", "identifier", "subscriber_name", "tariff_name")


async def search_subscribers(conn: Connection, organization_id: str, *, number: str | None, account_id: str | None,
                             limit: int, offset: int) -> dict[str, Any]:
    """By number with `%` (any digits) and `_` (one digit), by account, or all; paginated."""
    rows = await conn.fetch(
        "SELECT line_id, account_id, kind, identifier, subscriber_name, tariff_name, count(*) OVER () AS total"
        " FROM subscriber_lines WHERE organization_id = $1"
        " AND ($2::text IS NULL OR identifier LIKE $2) AND ($3::text IS NULL OR account_id = $3)"
        " ORDER BY identifier, line_id LIMIT $4 OFFSET $5",
        organization_id, number, account_id, limit, offset,
    )
    return page_of([dict(r) for r in rows], _SUBSCRIBER_FIELDS, limit=limit, offset=offset)
