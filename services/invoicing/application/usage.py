"""Use case: rated usage becomes a charge line (telephony posts each rated batch of calls here, by the
contract in docs/events.md; seed 004: «Исходящие внутри сети 00:07:00 | 0,00 | 25% | ...»).

Once per `usage_id` per account: a repeat posts nothing and answers the first line. Usage for a
period already invoiced is refused (`usage.period_invoiced`): it belongs to a later correction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from services.invoicing.application.context import Invoicing, recorded_lines
from services.invoicing.domain.account import AccountCharges, stream_id_for
from services.invoicing.domain.events import ChargePosted
from shared.calendar import month_start
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection
from shared.errors import Conflict, NotFound
from shared.events import DomainEvent
from shared.eventstore import Metadata, RecordedEvent

__all__ = ["RatedUsage", "post_rated_usage"]


@dataclass(frozen=True)
class RatedUsage:
    usage_id: str
    line_id: str
    usage_class: str
    description: str
    quantity: str
    day: date
    net: Decimal
    vat_rate: Decimal


async def post_rated_usage(ctx: Invoicing, account_id: str, usage: RatedUsage, metadata: Metadata,
                           key: str | None) -> CommandResult:
    async with ctx.pool.acquire() as conn:
        plan = await ctx.plans.load(conn, account_id)
    if plan is None:
        raise NotFound("account.not_found", f"account {account_id} is not known to the invoicing service")
    if usage.line_id not in plan.lines:
        raise NotFound("line.not_found", f"account {account_id} has no line {usage.line_id}")
    period = month_start(usage.day)
    now = ctx.clock.now()

    def decide(charges: AccountCharges) -> list[DomainEvent]:
        if period in charges.invoices:
            raise Conflict("usage.period_invoiced", f"the invoice for {period:%Y-%m} was issued; usage cannot join it")
        return list(charges.post_usage(period, usage.usage_id, usage.line_id, usage.usage_class, usage.description,
                                       usage.quantity, usage.day, usage.net, usage.vat_rate, now))

    async def record(conn: Connection, _: AccountCharges, recorded: list[RecordedEvent]) -> None:
        events = [r.to_domain(ctx.store.registry) for r in recorded]
        await ctx.charge_lines.record(conn, recorded_lines(events, {}))

    def respond(charges: AccountCharges, recorded: list[RecordedEvent]) -> dict[str, Any]:
        charge_id = f"{period:%Y-%m}/usage:{usage.line_id}:{usage.usage_class}/{usage.usage_id}"
        posted = [r.payload for r in recorded if r.event_type == ChargePosted.event_type]
        return {"account_id": account_id, "charge_id": charge_id, "posted": bool(posted)}

    return await execute(
        ctx.store, AccountCharges, stream_id_for(account_id), decide, metadata=metadata, now=now,
        idempotency_key=scoped_key(key, metadata.actor, "post_rated_usage", account_id),
        request={"usage_id": usage.usage_id, "net": str(usage.net), "quantity": usage.quantity},
        respond=respond, in_transaction=record,
    )
