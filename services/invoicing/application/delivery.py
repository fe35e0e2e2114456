"""Use cases of invoice delivery (issue 11 item 7; seed 004 2.3.1, 2.3.3, 2.3.5): the delivery
method and addresses, the e-mail re-send of a past period's invoice to the current address, the
preliminary invoice of the current month (the whole account or a list of its own numbers), the
current month's charges per subscriber by e-mail, and the regular invoice mailed at issue to the
address valid when it was generated.

Every mail is a row of `invoice_mailings`, recorded in the request's (or the bill run's)
transaction; the document worker renders it after commit and publishes `InvoiceMailReady`; the
notifications service fetches the file and mails it. Refusals change nothing: `account.not_found`,
`delivery.addresses_too_long`, `delivery.address_invalid`, `delivery.no_email` (422: nowhere to
mail), `invoice.window_closed` (days 1-3), `invoice.period_out_of_range`, `invoice.not_found`,
`invoice.numbers_invalid`, `invoice.foreign_numbers`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from services.invoicing.application.context import Invoicing
from services.invoicing.application.documents import Download, Renderer, load_document
from services.invoicing.domain.delivery import DeliveryMethod, parse_addresses, parse_numbers, preliminary_lines
from services.invoicing.domain.document import (
    CONTENT_TYPES,
    DocumentFormat,
    InvoiceDocument,
    file_name,
    invoice_document,
    period_title,
)
from services.invoicing.domain.events import InvoiceDeliveryChanged, InvoiceMailReady
from services.invoicing.domain.invoice import due_on, ensure_orders_open, invoice_id_for, parse_period
from shared.calendar import add_months, days_in_month, month_start
from shared.db import Connection
from shared.errors import NotFound, ValidationFailed
from shared.eventstore import Metadata
from shared.logging import get_logger, new_correlation_id

__all__ = ["change_delivery", "delivery_of", "mailing_document", "make_next_mailing", "order_charges_mail",
           "order_preliminary", "queue_regular_mailings", "resend_invoice"]

log = get_logger(__name__)
#: A past period's invoice may be re-sent for up to a year back.
RESEND_MONTHS = 12


async def _known(ctx: Invoicing, conn: Connection, account_id: str) -> None:
    if await ctx.plans.load(conn, account_id) is None:
        raise NotFound("account.not_found", f"account {account_id} is not known to the invoicing service")


def _delivery_json(account_id: str, row: Any) -> dict[str, Any]:
    if row is None:
        return {"account_id": account_id, "method": "self", "format": "pdf", "addresses": [], "address_text": "",
                "changed_at": None}
    return {"account_id": account_id, "method": row["method"], "format": row["format"],
            "addresses": list(row["addresses"]), "address_text": ";".join(row["addresses"]),
            "changed_at": row["changed_at"].isoformat()}


async def delivery_of(ctx: Invoicing, account_id: str) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        await _known(ctx, conn, account_id)
        row = await conn.fetchrow("SELECT * FROM invoice_delivery WHERE account_id = $1", account_id)
    return _delivery_json(account_id, row)


async def change_delivery(ctx: Invoicing, account_id: str, method: DeliveryMethod, document_format: DocumentFormat,
                          address_text: str | None, actor: str) -> dict[str, Any]:
    """«Способ/адрес доставки успешно изменен»: e-mail needs addresses (`;`-separated, at most 200
    characters); «Получает сам» keeps the addresses given (a later e-mail re-send goes there)."""
    addresses = parse_addresses(address_text) if address_text is not None else None
    now = ctx.clock.now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        await _known(ctx, conn, account_id)
        row = await conn.fetchrow("SELECT * FROM invoice_delivery WHERE account_id = $1 FOR UPDATE", account_id)
        if addresses is None:
            addresses = list(row["addresses"]) if row else []
        if method == "email" and not addresses:
            raise ValidationFailed("delivery.no_email", "e-mail delivery needs at least one address")
        version = row["stream_version"] if row else 0
        changed = InvoiceDeliveryChanged(account_id=account_id, method=method, format=document_format,
                                         addresses=addresses, changed_at=now)
        await ctx.store.append(conn, stream_id=f"invoice-delivery-{account_id}", stream_type="InvoiceDelivery",
                               expected_version=version, events=[changed],
                               metadata=Metadata(new_correlation_id(), actor=actor), occurred_at=now)
        await conn.execute(
            "INSERT INTO invoice_delivery (account_id, method, format, addresses, changed_at, changed_by,"
            " stream_version) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id) DO UPDATE SET"
            " method = excluded.method, format = excluded.format, addresses = excluded.addresses,"
            " changed_at = excluded.changed_at, changed_by = excluded.changed_by,"
            " stream_version = excluded.stream_version",
            account_id, method, document_format, addresses, now, actor, version + 1)
        row = await conn.fetchrow("SELECT * FROM invoice_delivery WHERE account_id = $1", account_id)
    return _delivery_json(account_id, row)


_MAILING_COLUMNS = ("mailing_id, account_id, kind, period, invoice_id, line_ids, format, addresses, ordered_at,"
                    " ordered_by")


async def _insert_mailing(conn: Connection, *, account_id: str, kind: str, period: date, invoice_id: str | None,
                          line_ids: list[str] | None, document_format: str, addresses: list[str], at: Any,
                          actor: str) -> str:
    mailing_id = str(uuid.uuid4())
    await conn.execute(
        f"INSERT INTO invoice_mailings ({_MAILING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        mailing_id, account_id, kind, period, invoice_id, line_ids, document_format, addresses, at, actor)
    return mailing_id


async def queue_regular_mailings(conn: Connection, invoices: Sequence[tuple[str, str]], period: date,
                                 at: datetime) -> int:
    """At issue, in the bill run's transaction: mail each invoice (account id, invoice id) whose account
    takes it by e-mail, to the addresses valid now (seed 004: the address at the time the invoice is
    generated wins); how many were queued."""
    invoice_of = dict(invoices)
    rows = await conn.fetch("SELECT account_id, method, format, addresses FROM invoice_delivery"
                            " WHERE account_id = ANY($1::text[]) ORDER BY account_id", list(invoice_of))
    mailings = [(str(uuid.uuid4()), r["account_id"], "regular", period, invoice_of[r["account_id"]], None, r["format"],
                 list(r["addresses"]), at, "invoicing:bill-run")
                for r in rows if r["method"] == "email" and r["addresses"]]
    if mailings:
        await conn.executemany(f"INSERT INTO invoice_mailings ({_MAILING_COLUMNS}) VALUES"
                               " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", mailings)
    return len(mailings)


async def _current_addresses(conn: Connection, account_id: str) -> tuple[list[str], str]:
    row = await conn.fetchrow("SELECT format, addresses FROM invoice_delivery WHERE account_id = $1", account_id)
    if row is None or not row["addresses"]:
        raise ValidationFailed("delivery.no_email", "no e-mail address for invoices: set the delivery address first")
    return list(row["addresses"]), row["format"]


def _mailing_json(mailing_id: str, account_id: str, kind: str, period: date, document_format: str,
                  addresses: list[str]) -> dict[str, Any]:
    return {"mailing_id": mailing_id, "account_id": account_id, "kind": kind, "period": f"{period:%Y-%m}",
            "format": document_format, "addresses": addresses, "status": "ordered"}


async def resend_invoice(ctx: Invoicing, account_id: str, period_text: str, document_format: DocumentFormat | None,
                         actor: str) -> dict[str, Any]:
    """«Счет за указанный период будет отправлен на ваш e-mail»: a past period's regular invoice to
    the address valid now."""
    today = ctx.today()
    ensure_orders_open(today)
    period = parse_period(period_text)
    current = month_start(today)
    earliest = add_months(current, -RESEND_MONTHS)
    if not earliest <= period < current:
        raise ValidationFailed("invoice.period_out_of_range", "a past month's invoice, up to 12 months back",
                               earliest=f"{earliest:%Y-%m}", latest=f"{add_months(current, -1):%Y-%m}")
    invoice_id = invoice_id_for(account_id, period)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await _known(ctx, conn, account_id)
        if not await conn.fetchval("SELECT 1 FROM invoices WHERE invoice_id = $1", invoice_id):
            raise NotFound("invoice.not_found", f"account {account_id} has no invoice for {period_text}")
        addresses, preferred = await _current_addresses(conn, account_id)
        chosen = document_format or preferred
        mailing_id = await _insert_mailing(conn, account_id=account_id, kind="resend", period=period,
                                           invoice_id=invoice_id, line_ids=None, document_format=chosen,
                                           addresses=addresses, at=ctx.clock.now(), actor=actor)
    return _mailing_json(mailing_id, account_id, "resend", period, chosen, addresses)


async def order_preliminary(ctx: Invoicing, account_id: str, numbers_text: str | None,
                            document_format: DocumentFormat, actor: str) -> dict[str, Any]:
    """«Счет за текущий период будет отправлен на e-mail»: the current month's charges so far, for
    the whole account or the listed numbers of its own (foreign ones refused)."""
    ensure_orders_open(ctx.today())
    return await _order_current_month(ctx, account_id, "preliminary", numbers_text, document_format, actor)


async def order_charges_mail(ctx: Invoicing, account_id: str, numbers_text: str | None,
                             document_format: DocumentFormat, actor: str) -> dict[str, Any]:
    """Current-month charges per subscriber by e-mail (seed 004 2.3, INVOICING.md I-2): the current
    month's charges per subscriber (every one, or the listed numbers of the account's own), mailed
    to the client's address. Not an invoice: days 1-3 do not close it."""
    return await _order_current_month(ctx, account_id, "charges", numbers_text, document_format, actor)


async def _order_current_month(ctx: Invoicing, account_id: str, kind: str, numbers_text: str | None,
                               document_format: DocumentFormat, actor: str) -> dict[str, Any]:
    numbers = parse_numbers(numbers_text) if numbers_text is not None else None
    period = month_start(ctx.today())
    async with ctx.pool.acquire() as conn, conn.transaction():
        plan = await ctx.plans.load(conn, account_id)
        if plan is None:
            raise NotFound("account.not_found", f"account {account_id} is not known to the invoicing service")
        line_ids = preliminary_lines(numbers, {line.identifier: line.line_id for line in plan.lines.values()})
        addresses, _ = await _current_addresses(conn, account_id)
        mailing_id = await _insert_mailing(conn, account_id=account_id, kind=kind, period=period,
                                           invoice_id=None, line_ids=line_ids, document_format=document_format,
                                           addresses=addresses, at=ctx.clock.now(), actor=actor)
    return {**_mailing_json(mailing_id, account_id, kind, period, document_format, addresses),
            "numbers": numbers}


async def _preliminary_document(ctx: Invoicing, conn: Connection, mailing: Any) -> InvoiceDocument:
    account_id, period = mailing["account_id"], mailing["period"]
    plan = await ctx.plans.load(conn, account_id)
    assert plan is not None
    wanted = set(mailing["line_ids"]) if mailing["line_ids"] is not None else None
    lines = [r.line for r in await ctx.charge_lines.of_period(conn, account_id, period)
             if wanted is None or r.line.line_id in wanted]
    end = period.replace(day=days_in_month(period))
    subscribers: list[dict[str, str | None]] = [
        {"line_id": line.line_id, "identifier": line.identifier, "subscriber_name": line.name_on(end)}
        for line in plan.lines.values()]
    document = invoice_document(invoice_id="", number="", account_id=account_id, period=period,
                                issued_on=ctx.today(), due_on=due_on(period), payment_form=plan.payment_form,
                                subscribers=subscribers, lines=lines, preliminary=True)
    if mailing["kind"] == "charges":
        return replace(document, heading=f"Начисления по абонентам за {period_title(period)} (текущий месяц)",
                       name_stem=f"charges-{account_id}-{period:%Y-%m}")
    return document


async def make_next_mailing(ctx: Invoicing, renderers: Mapping[str, Renderer]) -> bool:
    """Render the oldest mailing ordered and publish it as InvoiceMailReady; False when none waits."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        mailing = await conn.fetchrow("SELECT * FROM invoice_mailings WHERE status = 'ordered' ORDER BY ordered_at"
                                      " LIMIT 1 FOR UPDATE SKIP LOCKED")
        if mailing is None:
            return False
        mailing_id, document_format = mailing["mailing_id"], mailing["format"]
        if mailing["invoice_id"] is not None:
            document = await load_document(ctx, conn, mailing["invoice_id"])
            assert document is not None  # a foreign key
        else:
            document = await _preliminary_document(ctx, conn, mailing)
        now = ctx.clock.now()
        try:
            content = await asyncio.to_thread(renderers[document_format], document)
        except Exception as error:  # the mailing fails, the worker goes on
            reason = f"{type(error).__name__}: {error}"[:500]
            await conn.execute("UPDATE invoice_mailings SET status = 'failed', reason = $2, ready_at = $3"
                               " WHERE mailing_id = $1", mailing_id, reason, now)
            log.error("invoice_mailing.failed", mailing_id=mailing_id, reason=reason)
            return True
        name = file_name(document, document_format)
        ready = InvoiceMailReady(
            account_id=mailing["account_id"], mailing_id=mailing_id, kind=mailing["kind"], period=mailing["period"],
            invoice_id=mailing["invoice_id"], number=None if document.preliminary else document.number,
            format=document_format, file_name=name, content_type=CONTENT_TYPES[document_format], size=len(content),
            addresses=list(mailing["addresses"]), ready_at=now)
        await ctx.store.append(conn, stream_id=f"invoice-mailing-{mailing_id}", stream_type="InvoiceMailing",
                               expected_version=0, events=[ready],
                               metadata=Metadata(new_correlation_id(), actor=mailing["ordered_by"]), occurred_at=now)
        await conn.execute("UPDATE invoice_mailings SET status = 'ready', content = $2, file_name = $3, ready_at = $4"
                           " WHERE mailing_id = $1", mailing_id, content, name, now)
    log.info("invoice_mailing.ready", mailing_id=mailing_id, kind=mailing["kind"], size=len(content))
    return True


async def mailing_document(ctx: Invoicing, account_id: str, mailing_id: str) -> Download:
    """The file of a ready mailing (the notifications service attaches it)."""
    row = await ctx.pool.fetchrow("SELECT format, status, content, file_name FROM invoice_mailings"
                                  " WHERE mailing_id = $1 AND account_id = $2", mailing_id, account_id)
    if row is None or row["status"] != "ready":
        raise NotFound("mailing.not_found", f"no ready mailing {mailing_id} of account {account_id}")
    return Download(bytes(row["content"]), CONTENT_TYPES[row["format"]], row["file_name"])
