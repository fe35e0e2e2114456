"""Use case: the cabinet orders a regular invoice's document (seed 004, 2.3.2: a month of the two
previous ones, PDF or XLS; made in the background, then downloaded by its link).

Refused during the invoicing window, days 1-3 (`invoice.window_closed`), for any other period
(`invoice.period_out_of_range`) and for a period without an invoice (`invoice.not_found`). An order
is recorded once per invoice and format (a repeat answers the same order; a failed one is ordered
again); the document worker (application/documents.py) makes the file after this commits."""

from __future__ import annotations

from typing import Any, Literal

from services.invoicing.application.context import Invoicing
from services.invoicing.domain.invoice import ensure_orders_open, invoice_id_for, orderable_periods, parse_period
from shared.errors import DomainError, NotFound

__all__ = ["DocumentFormat", "order_invoice_document"]

DocumentFormat = Literal["pdf", "xlsx", "xlsx_split"]


async def order_invoice_document(ctx: Invoicing, account_id: str, period_text: str, document_format: DocumentFormat,
                                 actor: str) -> dict[str, Any]:
    today = ctx.today()
    ensure_orders_open(today)
    period = parse_period(period_text)
    allowed = orderable_periods(today)
    if period not in allowed:
        raise DomainError("invoice.period_out_of_range", "invoices are ordered for the two previous months",
                          allowed=[f"{p:%Y-%m}" for p in allowed])
    invoice_id = invoice_id_for(account_id, period)
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT 1 FROM invoices WHERE invoice_id = $1", invoice_id):
            raise NotFound("invoice.not_found", f"account {account_id} has no invoice for {period_text}")
        await conn.execute(
            "INSERT INTO invoice_documents (invoice_id, format, ordered_at, ordered_by) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (invoice_id, format) DO UPDATE SET status = 'ordered', reason = NULL,"
            " ordered_at = excluded.ordered_at, ordered_by = excluded.ordered_by"
            " WHERE invoice_documents.status = 'failed'", invoice_id, document_format, ctx.clock.now(), actor)
        row = await conn.fetchrow("SELECT status, ordered_at FROM invoice_documents WHERE invoice_id = $1"
                                  " AND format = $2", invoice_id, document_format)
    assert row is not None  # inserted above or before
    return {"invoice_id": invoice_id, "period": period_text, "format": document_format, "status": row["status"],
            "ordered_at": row["ordered_at"].isoformat()}
