"""Use cases of equipment installments (INVOICING.md I-6): the office registers equipment sold in
installments, may record an early payoff, and the cabinet shows «Информация по рассрочке» per account
and per subscriber: payments left, the monthly amount, the payoff date, what was paid so far.

Registering appends InstallmentRegistered to the account's charges stream and, when the first
payment falls in the current month, that payment's ChargePosted in the same append; later months'
payments are posted with each month's other charges (domain/account.py `post_charges`: the posting
worker and the bill run), once per charge id. Refusals change nothing: `account.not_found`,
`line.not_found`, `installment.payments_invalid`, `installment.amount_too_small`,
`installment.first_month_out_of_range` (422), `installment.not_found` (404), `installment.paid_off`
(409)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from services.invoicing.application.context import Invoicing, recorded_lines
from services.invoicing.domain.account import AccountCharges, stream_id_for
from services.invoicing.domain.events import InstallmentPaidOff, InstallmentRegistered
from services.invoicing.domain.installment import check_terms, installment_item
from shared.calendar import add_months, month_start
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection
from shared.errors import NotFound
from shared.events import DomainEvent
from shared.eventstore import Metadata, RecordedEvent
from shared.money import round_money, split_evenly

__all__ = ["account_installments", "pay_off_installment", "register_installment"]


async def register_installment(ctx: Invoicing, account_id: str, *, line_id: str | None, description: str,
                               total: Decimal, payments: int, first_month: date, metadata: Metadata,
                               key: str | None) -> CommandResult:
    today = ctx.today()
    first = check_terms(total, payments, first_month, today)
    async with ctx.pool.acquire() as conn:
        plan = await ctx.plans.load(conn, account_id)
    if plan is None:
        raise NotFound("account.not_found", f"account {account_id} is not known to the invoicing service")
    if line_id is not None and line_id not in plan.lines:
        raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
    installment_id = str(uuid.uuid4())
    now = ctx.clock.now()
    period = month_start(today)

    amounts = split_evenly(total, payments)
    # the line's VAT rate (the equipment is sold with its service), else the account's first line's
    vat_rate = plan.lines[line_id].tariffs[0].vat_rate if line_id is not None else plan.main_vat_rate()

    def decide(charges: AccountCharges) -> list[DomainEvent]:
        registered = InstallmentRegistered(
            account_id=account_id, installment_id=installment_id, line_id=line_id, description=description,
            total=total, payments=payments, first_month=first, monthly_amount=amounts[0], last_amount=amounts[-1],
            vat_rate=vat_rate, registered_at=now)
        charges.apply(registered)  # its payment of the current month, if due, beside it
        return [registered, *charges.post_installments(period, now)]

    async def record(conn: Connection, _: AccountCharges, recorded: list[RecordedEvent]) -> None:
        events = [r.to_domain(ctx.store.registry) for r in recorded]
        for event in events:
            if isinstance(event, InstallmentRegistered):
                await conn.execute(
                    "INSERT INTO installments (installment_id, account_id, line_id, description, total, payments,"
                    " first_month, monthly_amount, last_amount, registered_at) VALUES"
                    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", event.installment_id, account_id, event.line_id,
                    event.description, event.total, event.payments, event.first_month, event.monthly_amount,
                    event.last_amount, event.registered_at)
        await ctx.charge_lines.record(conn, recorded_lines(events, {}))
        # posting publishes the fee forecasts again, this installment's payments in them
        await ctx.queue.add(conn, account_id, now, metadata.correlation_id)

    def respond(_: AccountCharges, recorded: list[RecordedEvent]) -> dict[str, Any]:
        found = next(r.payload for r in recorded if r.event_type == InstallmentRegistered.event_type)
        return {"account_id": account_id, "installment_id": found["installment_id"]}

    return await execute(
        ctx.store, AccountCharges, stream_id_for(account_id), decide, metadata=metadata, now=now,
        idempotency_key=scoped_key(key, metadata.actor, "register_installment", account_id),
        request={"line_id": line_id, "description": description, "total": str(total), "payments": payments,
                 "first_month": first.isoformat()},
        respond=respond, in_transaction=record,
    )


async def pay_off_installment(ctx: Invoicing, account_id: str, installment_id: str, metadata: Metadata,
                              key: str | None) -> CommandResult:
    now = ctx.clock.now()
    period = month_start(ctx.today(now))

    def decide(charges: AccountCharges) -> list[DomainEvent]:
        return charges.pay_off_installment(installment_id, period, now)

    async def record(conn: Connection, _: AccountCharges, recorded: list[RecordedEvent]) -> None:
        events = [r.to_domain(ctx.store.registry) for r in recorded]
        for event in events:
            if isinstance(event, InstallmentPaidOff):
                await conn.execute("UPDATE installments SET paid_off_at = $2 WHERE installment_id = $1",
                                   event.installment_id, event.paid_off_at)
        await ctx.charge_lines.record(conn, recorded_lines(events, {}))

    def respond(_: AccountCharges, recorded: list[RecordedEvent]) -> dict[str, Any]:
        paid = [r.payload for r in recorded if r.event_type == InstallmentPaidOff.event_type]
        return {"account_id": account_id, "installment_id": installment_id,
                "amount": paid[0]["amount"] if paid else None}

    return await execute(
        ctx.store, AccountCharges, stream_id_for(account_id), decide, metadata=metadata, now=now,
        idempotency_key=scoped_key(key, metadata.actor, "pay_off_installment", account_id, installment_id),
        request={"installment_id": installment_id}, respond=respond, in_transaction=record,
    )


async def account_installments(ctx: Invoicing, account_id: str, line_id: str | None = None) -> dict[str, Any]:
    """«Информация по рассрочке»: each installment of the account (of one subscriber line with
    `line_id`) with the payments left, the monthly amount, the payoff date and what was paid so far."""
    async with ctx.pool.acquire() as conn:
        plan = await ctx.plans.load(conn, account_id)
        if plan is None:
            raise NotFound("account.not_found", f"account {account_id} is not known to the invoicing service")
        if line_id is not None and line_id not in plan.lines:
            raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
        rows = await conn.fetch(
            "SELECT * FROM installments WHERE account_id = $1 AND ($2::text IS NULL OR line_id = $2)"
            " ORDER BY registered_at, installment_id", account_id, line_id)
        charged = {r["item"]: (Decimal(r["paid"]), int(r["count"])) for r in await conn.fetch(
            "SELECT item, sum(total) AS paid, count(*) FILTER (WHERE charge_id NOT LIKE '%/payoff') AS count"
            " FROM charge_lines WHERE account_id = $1 AND kind = 'installment' GROUP BY item", account_id)}
    shown = []
    for row in rows:
        paid, count = charged.get(installment_item(row["installment_id"]), (Decimal(0), 0))
        paid_off = row["paid_off_at"]
        last_month = add_months(row["first_month"], row["payments"] - 1)
        identifier = plan.lines[row["line_id"]].identifier if row["line_id"] in plan.lines else None
        shown.append({
            "installment_id": row["installment_id"], "line_id": row["line_id"], "identifier": identifier,
            "description": row["description"], "total": str(row["total"]), "payments": row["payments"],
            "monthly_amount": str(row["monthly_amount"]), "last_amount": str(row["last_amount"]),
            "first_month": f"{row['first_month']:%Y-%m}",
            "payments_left": 0 if paid_off else row["payments"] - count,
            "paid_so_far": str(round_money(paid)),
            "left_to_pay": str(round_money(row["total"] - paid)),
            "payoff_date": (ctx.today(paid_off) if paid_off else last_month).isoformat(),
            "paid_off_early": paid_off is not None,
        })
    return {"account_id": account_id, "line_id": line_id, "installments": shown}
