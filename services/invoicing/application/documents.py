"""Use cases of invoice documents (issue 11 item 6): the document worker makes what was ordered,
after the order committed, never in the request; the download serves the bytes once ready.

The worker takes the oldest ordered document FOR UPDATE SKIP LOCKED (several workers never make
the same one), builds it from the invoice as issued and the period's charge lines, renders it off
the event loop and, in the same transaction, stores the bytes and appends `InvoiceDocumentReady`
to the document's stream (the relay publishes it: notifications tell the subscriber). A renderer
that fails marks the document `failed` with the reason; ordering it again retries it. A worker
killed mid-way leaves the order as it was (its transaction rolls back): the next one makes it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.invoicing.application.context import Invoicing
from services.invoicing.domain.document import CONTENT_TYPES, InvoiceDocument, file_name, invoice_document
from services.invoicing.domain.events import InvoiceDocumentReady
from services.invoicing.domain.invoice import invoice_id_for, parse_period
from shared.calendar import local_date
from shared.db import Connection
from shared.errors import Conflict, NotFound
from shared.eventstore import Metadata
from shared.logging import get_logger, new_correlation_id

__all__ = ["Download", "Renderer", "documents_json", "download_document", "load_document", "make_next_document"]

log = get_logger(__name__)
Renderer = Callable[[InvoiceDocument], bytes]
STREAM_TYPE = "InvoiceDocument"


def stream_id_for(invoice_id: str, document_format: str) -> str:
    return f"invoice-document-{invoice_id}-{document_format}"


async def load_document(ctx: Invoicing, conn: Connection, invoice_id: str) -> InvoiceDocument | None:
    """The document of an issued invoice, as it shows it (None: no such invoice)."""
    invoice = await conn.fetchrow(
        "SELECT invoice_id, account_id, period, number, payment_form, issued_at, due_on, subscribers FROM invoices"
        " WHERE invoice_id = $1", invoice_id)
    if invoice is None:
        return None
    lines = await ctx.charge_lines.of_period(conn, invoice["account_id"], invoice["period"])
    return invoice_document(
        invoice_id=invoice_id, number=invoice["number"], account_id=invoice["account_id"], period=invoice["period"],
        issued_on=local_date(invoice["issued_at"], ctx.tz), due_on=invoice["due_on"],
        payment_form=invoice["payment_form"], subscribers=invoice["subscribers"], lines=(r.line for r in lines))


async def make_next_document(ctx: Invoicing, renderers: Mapping[str, Renderer]) -> bool:
    """Make the oldest ordered document; False when none was waiting (or all are being made)."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        order = await conn.fetchrow(
            "SELECT invoice_id, format, ordered_by, stream_version FROM invoice_documents WHERE status = 'ordered'"
            " ORDER BY ordered_at LIMIT 1 FOR UPDATE SKIP LOCKED")
        if order is None:
            return False
        invoice_id, document_format = order["invoice_id"], order["format"]
        document = await load_document(ctx, conn, invoice_id)
        assert document is not None  # invoice_documents references invoices
        try:
            content = await asyncio.to_thread(renderers[document_format], document)
        except Exception as error:  # the document fails, the worker goes on
            reason = f"{type(error).__name__}: {error}"[:500]
            await conn.execute("UPDATE invoice_documents SET status = 'failed', reason = $3, ready_at = $4"
                               " WHERE invoice_id = $1 AND format = $2", invoice_id, document_format, reason,
                               ctx.clock.now())
            log.error("invoice_document.failed", invoice_id=invoice_id, format=document_format, reason=reason)
            return True
        now = ctx.clock.now()
        name = file_name(document, document_format)
        ready = InvoiceDocumentReady(
            account_id=document.account_id, invoice_id=invoice_id, number=document.number, period=document.period,
            format=document_format, file_name=name, content_type=CONTENT_TYPES[document_format], size=len(content),
            ordered_by=order["ordered_by"], ready_at=now)
        await ctx.store.append(conn, stream_id=stream_id_for(invoice_id, document_format), stream_type=STREAM_TYPE,
                               expected_version=order["stream_version"], events=[ready],
                               metadata=Metadata(new_correlation_id(), actor="invoicing-documents"), occurred_at=now)
        await conn.execute(
            "UPDATE invoice_documents SET status = 'ready', reason = NULL, content = $3, size = $4, file_name = $5,"
            " ready_at = $6, stream_version = stream_version + 1 WHERE invoice_id = $1 AND format = $2",
            invoice_id, document_format, content, len(content), name, now)
    log.info("invoice_document.ready", invoice_id=invoice_id, format=document_format, size=len(content),
             rows=document.row_count)
    return True


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    file_name: str


async def download_document(ctx: Invoicing, account_id: str, period_text: str, document_format: str) -> Download:
    """The bytes of a ready document: `invoice.not_found` (no invoice of that period),
    `invoice.document_not_ordered` (404), `invoice.document_not_ready` (409, still being made, or
    failed: with its `document_status` and `reason`)."""
    invoice_id = invoice_id_for(account_id, parse_period(period_text))
    async with ctx.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT i.invoice_id, d.status, d.reason, d.content, d.file_name FROM invoices i LEFT JOIN"
            " invoice_documents d ON d.invoice_id = i.invoice_id AND d.format = $2 WHERE i.invoice_id = $1",
            invoice_id, document_format)
    if row is None:
        raise NotFound("invoice.not_found", f"account {account_id} has no invoice for {period_text}")
    if row["status"] is None:
        raise NotFound("invoice.document_not_ordered", f"no {document_format} of {period_text} was ordered")
    if row["status"] != "ready":
        raise Conflict("invoice.document_not_ready", f"the {document_format} of {period_text} is {row['status']}",
                       document_status=row["status"], reason=row["reason"])
    return Download(bytes(row["content"]), CONTENT_TYPES[document_format], row["file_name"])


def documents_json(rows: list[Any]) -> list[dict[str, Any]]:
    return [{"format": r["format"], "status": r["status"], "ordered_at": r["ordered_at"].isoformat(),
             "ready_at": r["ready_at"].isoformat() if r["ready_at"] else None, "reason": r["reason"],
             "size": r["size"]} for r in rows]
