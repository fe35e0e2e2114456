"""Use case: each business day, the regular invoices of postpaid accounts that are unpaid after
their due date and not covered by a payment guarantee become overdue (domain/overdue.py): each
once, `InvoiceOverdue` on the stream `invoice-<invoice_id>` (expected version 0: a second run of
the same day, or a concurrent one, appends nothing) with `invoices.overdue_at` in the same
transaction. The accounts service's reaction (suspension) belongs to its financial block."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from services.invoicing.application.context import Invoicing
from services.invoicing.domain.events import InvoiceOverdue
from services.invoicing.domain.overdue import DueInvoice, Guarantee, overdue
from shared.db import Connection
from shared.errors import ConcurrencyConflict
from shared.eventstore import Metadata
from shared.logging import get_logger, new_correlation_id

__all__ = ["mark_overdue"]

log = get_logger(__name__)


async def mark_overdue(ctx: Invoicing, conn: Connection, today: date, now: datetime) -> int:
    """Mark what is overdue on `today`, in the caller's transaction; how many invoices."""
    accounts = await conn.fetch(
        "SELECT DISTINCT account_id FROM invoices WHERE overdue_at IS NULL AND due_on < $1"
        " AND payment_form = 'postpaid' AND kind = 'regular'", today)
    metadata = Metadata(new_correlation_id(), actor="invoicing:overdue")
    marked = 0
    for row in accounts:
        account_id = row["account_id"]
        invoices = await conn.fetch("SELECT invoice_id, number, period, total, due_on, overdue_at FROM invoices"
                                    " WHERE account_id = $1 AND kind = 'regular' ORDER BY period", account_id)
        paid = Decimal(await conn.fetchval("SELECT paid FROM account_payments WHERE account_id = $1", account_id)
                       or 0)
        guarantees = [Guarantee(g["amount"], g["pay_by"], g["invoice_ref"]) for g in await conn.fetch(
            "SELECT amount, pay_by, invoice_ref FROM payment_guarantees WHERE account_id = $1", account_id)]
        due = [DueInvoice(i["invoice_id"], i["number"], i["period"], i["total"], i["due_on"]) for i in invoices]
        already = {i["invoice_id"] for i in invoices if i["overdue_at"] is not None}
        for invoice, unpaid in overdue(due, paid, guarantees, today):
            if invoice.invoice_id in already:
                continue
            event = InvoiceOverdue(account_id=account_id, invoice_id=invoice.invoice_id, number=invoice.number,
                                   period=invoice.period, total=invoice.total, unpaid=unpaid, due_on=invoice.due_on,
                                   at=now)
            try:
                async with conn.transaction():
                    await ctx.store.append(conn, stream_id=f"invoice-{invoice.invoice_id}", stream_type="Invoice",
                                           expected_version=0, events=[event], metadata=metadata, occurred_at=now)
                    await conn.execute("UPDATE invoices SET overdue_at = $2 WHERE invoice_id = $1",
                                       invoice.invoice_id, now)
            except ConcurrencyConflict:
                continue  # marked by another run
            marked += 1
            log.info("invoice.overdue", account_id=account_id, invoice_id=invoice.invoice_id, unpaid=str(unpaid))
    return marked
