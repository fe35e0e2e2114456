"""Use cases of the reports of payments and charges (issue 11 item 8; seed 002 «Отчёты»): the
cabinet orders one for a range of days as PDF or XLSX; the document worker makes it after the order
committed (never in the request: the same pattern as an invoice's documents, application/documents.py),
then it is downloaded. Each order is a row of `report_documents` (ordered -> ready, or failed with
its reason); the worker takes the oldest FOR UPDATE SKIP LOCKED.

Payments come from invoicing's projection of billing.payments.events (`payment_records`), charges
from `charge_lines`, both over the local days asked. Refusals change nothing: `account.not_found`,
`report.range_invalid`, `request.date_range_too_old` (422), `report.not_found` (404),
`report.not_ready` (409, with `report_status` and `reason`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from services.invoicing.application.context import Invoicing
from services.invoicing.application.documents import Download
from services.invoicing.domain.report import (
    REPORT_CONTENT_TYPES,
    ChargeEntry,
    PaymentEntry,
    PaymentsAndCharges,
    ReportFormat,
    check_range,
    payments_and_charges,
    report_file_name,
)
from shared.calendar import day_bounds, local_date
from shared.errors import Conflict, NotFound
from shared.logging import get_logger

__all__ = ["ReportRenderer", "account_reports", "download_report", "make_next_report", "order_report"]

log = get_logger(__name__)
ReportRenderer = Callable[[PaymentsAndCharges], bytes]


def _report_json(row: Any) -> dict[str, Any]:
    return {"report_id": row["report_id"], "account_id": row["account_id"],
            "date_from": row["date_from"].isoformat(), "date_to": row["date_to"].isoformat(),
            "format": row["format"], "status": row["status"], "ordered_at": row["ordered_at"].isoformat(),
            "ready_at": row["ready_at"].isoformat() if row["ready_at"] else None, "reason": row["reason"],
            "size": row["size"]}


async def order_report(ctx: Invoicing, account_id: str, date_from: date, date_to: date, report_format: ReportFormat,
                       actor: str) -> dict[str, Any]:
    check_range(date_from, date_to, ctx.today())
    async with ctx.pool.acquire() as conn, conn.transaction():
        if await ctx.plans.load(conn, account_id) is None:
            raise NotFound("account.not_found", f"account {account_id} is not known to the invoicing service")
        row = await conn.fetchrow(
            "INSERT INTO report_documents (report_id, account_id, date_from, date_to, format, ordered_at, ordered_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *", str(uuid.uuid4()), account_id, date_from, date_to,
            report_format, ctx.clock.now(), actor)
    return _report_json(row)


async def account_reports(ctx: Invoicing, account_id: str) -> dict[str, Any]:
    """The account's reports, newest first (the last 20)."""
    rows = await ctx.pool.fetch("SELECT * FROM report_documents WHERE account_id = $1 ORDER BY ordered_at DESC"
                                " LIMIT 20", account_id)
    return {"account_id": account_id, "reports": [_report_json(r) for r in rows]}


async def make_next_report(ctx: Invoicing, renderers: Mapping[str, ReportRenderer]) -> bool:
    """Make the oldest ordered report; False when none was waiting (or all are being made)."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        order = await conn.fetchrow("SELECT * FROM report_documents WHERE status = 'ordered' ORDER BY ordered_at"
                                    " LIMIT 1 FOR UPDATE SKIP LOCKED")
        if order is None:
            return False
        account_id, date_from, date_to = order["account_id"], order["date_from"], order["date_to"]
        start, end = day_bounds(date_from, date_to, ctx.tz)
        payments = await conn.fetch("SELECT amount, method, paid_at, reversed FROM payment_records"
                                    " WHERE account_id = $1 AND paid_at >= $2 AND paid_at < $3", account_id, start, end)
        charges = await conn.fetch("SELECT period, description, total, posted_at FROM charge_lines"
                                   " WHERE account_id = $1 AND posted_at >= $2 AND posted_at < $3"
                                   " ORDER BY posted_at, charge_id", account_id, start, end)
        now = ctx.clock.now()
        report = payments_and_charges(
            account_id, date_from, date_to, local_date(now, ctx.tz),
            (PaymentEntry(local_date(p["paid_at"], ctx.tz), p["method"], p["amount"], p["reversed"]) for p in payments),
            (ChargeEntry(local_date(c["posted_at"], ctx.tz), c["period"], c["description"], c["total"])
             for c in charges))
        try:
            content = await asyncio.to_thread(renderers[order["format"]], report)
        except Exception as error:  # the report fails, the worker goes on
            reason = f"{type(error).__name__}: {error}"[:500]
            await conn.execute("UPDATE report_documents SET status = 'failed', reason = $2, ready_at = $3"
                               " WHERE report_id = $1", order["report_id"], reason, now)
            log.error("report.failed", report_id=order["report_id"], reason=reason)
            return True
        name = report_file_name(account_id, date_from, date_to, order["format"])
        await conn.execute("UPDATE report_documents SET status = 'ready', content = $2, size = $3, file_name = $4,"
                           " ready_at = $5 WHERE report_id = $1", order["report_id"], content, len(content), name, now)
    log.info("report.ready", report_id=order["report_id"], size=len(content), rows=report.row_count)
    return True


async def download_report(ctx: Invoicing, account_id: str, report_id: str) -> Download:
    row = await ctx.pool.fetchrow("SELECT format, status, reason, content, file_name FROM report_documents"
                                  " WHERE report_id = $1 AND account_id = $2", report_id, account_id)
    if row is None:
        raise NotFound("report.not_found", f"account {account_id} has no report {report_id}")
    if row["status"] != "ready":
        raise Conflict("report.not_ready", f"the report is {row['status']}", report_status=row["status"],
                       reason=row["reason"])
    return Download(bytes(row["content"]), REPORT_CONTENT_TYPES[row["format"]], row["file_name"])
