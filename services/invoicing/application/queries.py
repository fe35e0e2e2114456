"""Queries of the internal API (the gateway's): an account's charges page for a period, per
subscriber line, and its invoices. Periods: the current month and the two before it (seeds 003/004)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.invoicing.application.context import Invoicing
from services.invoicing.application.documents import documents_json
from services.invoicing.domain.invoice import chargeable_periods, parse_period
from services.invoicing.domain.page import SubscriberCharges, charges_page
from services.invoicing.domain.plan import AccountPlan
from services.invoicing.domain.proration import Figures
from shared.calendar import day_bounds, days_in_month, twelve_months_before
from shared.db import Connection
from shared.errors import DomainError, NotFound, ValidationFailed
from shared.money import round_money

__all__ = ["account_charges", "account_invoices", "chargeable_period", "charges_history", "previous_month"]


def chargeable_period(ctx: Invoicing, text: str | None) -> date:
    """The period asked for (`YYYY-MM`, default the current one), if the cabinet may show it."""
    allowed = chargeable_periods(ctx.today())
    if text is None:
        return allowed[0]
    period = parse_period(text)
    if period not in allowed:
        raise DomainError("charges.period_out_of_range",
                          "charges are shown for the current month and the two before it",
                          allowed=[f"{p:%Y-%m}" for p in allowed])
    return period


async def _plan(ctx: Invoicing, conn: Connection, account_id: str) -> AccountPlan:
    plan = await ctx.plans.load(conn, account_id)
    if plan is None:
        raise NotFound("account.not_found", f"account {account_id} is not known to the invoicing service")
    return plan


async def account_charges(ctx: Invoicing, account_id: str, period_text: str | None,
                          line_id: str | None = None) -> dict[str, Any]:
    period = chargeable_period(ctx, period_text)
    async with ctx.pool.acquire() as conn:
        plan = await _plan(ctx, conn, account_id)
        if line_id is not None and line_id not in plan.lines:
            raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
        recorded = await ctx.charge_lines.of_period(conn, account_id, period)
    page = charges_page((r.line for r in recorded), days_in_month(period))
    subscribers = [s for s in page if line_id is None or s.line_id == line_id]
    totals = Figures(sum((s.totals.net for s in subscribers), Decimal(0)),
                     sum((s.totals.vat for s in subscribers), Decimal(0)),
                     sum((s.totals.other_tax for s in subscribers), Decimal(0)))
    return {
        "account_id": account_id,
        "period": f"{period:%Y-%m}",
        "subscribers": [_subscriber(plan, s, period) for s in subscribers],
        "totals": _figures(totals),
    }


def _subscriber(plan: AccountPlan, charges: SubscriberCharges, period: date) -> dict[str, Any]:
    line = plan.lines.get(charges.line_id or "")
    return {
        "line_id": charges.line_id,
        "identifier": line.identifier if line else None,
        "subscriber_name": line.name_on(period.replace(day=days_in_month(period))) if line else None,
        "lines": [{"item": r.item, "kind": r.kind, "description": r.description, "quantity": r.quantity,
                   "days": r.days, "vat_rate": str(r.vat_rate), **_figures(r.figures)} for r in charges.rows],
        "totals": _figures(charges.totals),
    }


def _figures(figures: Figures) -> dict[str, str]:
    return {"net": str(figures.net), "vat": str(figures.vat), "other_tax": str(figures.other_tax),
            "total": str(figures.total)}


async def account_invoices(ctx: Invoicing, account_id: str) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        await _plan(ctx, conn, account_id)
        rows = await ctx.invoices.of_account(conn, account_id)
        documents = await conn.fetch(
            "SELECT invoice_id, format, status, ordered_at, ready_at, reason, size FROM invoice_documents"
            " WHERE invoice_id = ANY($1::text[]) ORDER BY format", [r["invoice_id"] for r in rows])
    invoices = [{
        "invoice_id": r["invoice_id"], "kind": r["kind"], "period": f"{r['period']:%Y-%m}", "series": r["series"],
        "number": r["number"], "net": str(r["net"]), "vat": str(r["vat"]), "other_tax": str(r["other_tax"]),
        "total": str(r["total"]), "issued_at": r["issued_at"].isoformat(), "due_on": r["due_on"].isoformat(),
        "subscribers": r["subscribers"],
        "documents": documents_json([d for d in documents if d["invoice_id"] == r["invoice_id"]]),
    } for r in rows]
    return {"account_id": account_id, "invoices": invoices}


_MONEY = ("net", "vat", "other_tax", "total")


async def charges_history(ctx: Invoicing, account_id: str, date_from: date | None, date_to: date | None,
                          limit: int, offset: int) -> dict[str, Any]:
    """The charges history («списания», «Расход средств»): every line as posted, newest first, over
    local days `date_from`..`date_to` within the last 12 months (as the payment history)."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("request.invalid_date_range", "'from' is after 'to'")
    earliest = twelve_months_before(ctx.today())
    if date_from is not None and date_from < earliest:
        raise ValidationFailed("request.date_range_too_old",
                               f"the charges history goes back 12 months, to {earliest.isoformat()}",
                               earliest=earliest.isoformat())
    start, end = day_bounds(date_from or earliest, date_to, ctx.tz)
    assert start is not None
    async with ctx.pool.acquire() as conn:
        await _plan(ctx, conn, account_id)
        rows = await ctx.charge_lines.history(conn, account_id, start, end, limit, offset)
    items = [{
        **{k: row[k] for k in ("charge_id", "kind", "item", "line_id", "description", "quantity")},
        "period": f"{row['period']:%Y-%m}", "from_day": row["from_day"].isoformat(),
        "to_day": row["to_day"].isoformat(), "vat_rate": str(row["vat_rate"]),
        **{k: str(row[k]) for k in _MONEY}, "posted_at": row["posted_at"].isoformat(),
    } for row in rows]
    return {"account_id": account_id, "items": items, "total": rows[0]["total_count"] if rows else 0,
            "limit": limit, "offset": offset}


async def previous_month(ctx: Invoicing, account_id: str) -> dict[str, Any]:
    """Seed 004 2.1: «Начисления за предыдущий месяц» and «Сумма счета к оплате»: the previous
    month's charges and its regular invoice (None before the bill run issued it)."""
    period = chargeable_periods(ctx.today())[1]
    async with ctx.pool.acquire() as conn:
        await _plan(ctx, conn, account_id)
        recorded = await ctx.charge_lines.of_period(conn, account_id, period)
        invoice = await conn.fetchrow("SELECT invoice_id, number, total, due_on, issued_at FROM invoices"
                                      " WHERE account_id = $1 AND period = $2 AND kind = 'regular'", account_id, period)
    figures = Figures(sum((r.line.net for r in recorded), Decimal(0)), sum((r.line.vat for r in recorded), Decimal(0)),
                      sum((r.line.other_tax for r in recorded), Decimal(0)))
    return {
        "account_id": account_id, "period": f"{period:%Y-%m}", "charges": _figures(figures),
        "invoice": None if invoice is None else {
            "invoice_id": invoice["invoice_id"], "number": invoice["number"], "total": str(invoice["total"]),
            "amount_due": str(round_money(invoice["total"])), "due_on": invoice["due_on"].isoformat(),
            "issued_at": invoice["issued_at"].isoformat()},
    }
