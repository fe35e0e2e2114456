"""The cabinet's charges and invoices (issue 11 items 6-8; seeds 003/004): charges of the current
and the two previous months per account and per subscriber with their lines, the charges history
(«списания», «Расход средств»), the previous month's charges, balance and amount due, the invoices
of the two previous months with their documents (ordered, then downloaded), the delivery method and
address, the e-mail re-send of a past invoice and the preliminary invoice of the current month.

Every route takes `account` (a foreign account answers 404 before anything else). The invoicing
service owns the data and the rules: its refusals (422 with stable codes: `charges.period_out_of_range`,
`invoice.window_closed`, `invoice.period_out_of_range`, `delivery.addresses_too_long`,
`invoice.foreign_numbers`, ...) reach the cabinet unchanged, as problem details."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from litestar import Response, get, post, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth.caller import Caller
from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController
from services.gateway.projections.cabinet_payments_queries import account_balance_read
from shared.calendar import add_months, local_date, month_start
from shared.clock import Clock
from shared.db import Pool
from shared.http import ID_PATTERN
from shared.internal_api import InternalClient
from shared.openapi import answers, files

__all__ = ["CabinetInvoicingController"]

PERIOD_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
DOCUMENT_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
#: Invoices are generated on days 1-3: the cabinet's orders wait until the 4th (invoicing decides).
WINDOW_LAST_DAY = 3
Period = Annotated[str, Parameter(pattern=PERIOD_PATTERN, description="YYYY-MM")]
Format = Annotated[Literal["pdf", "xlsx", "xlsx_split"],
                   Parameter(description="pdf, xlsx, or xlsx_split (the split Excel, EXTRAS #43)")]
Limit = Annotated[int, Parameter(ge=1, le=100, default=20)]
Offset = Annotated[int, Parameter(ge=0, le=100_000, default=0)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentOrder(_Body):
    format: Literal["pdf", "xlsx", "xlsx_split"] = Field(
        default="pdf", description="xlsx_split: the split Excel (EXTRAS #43), usage split into working hours "
                                   "9:00-18:00, non-working hours and weekends/holidays")


class DeliveryChange(_Body):
    method: Literal["email", "self"] = Field(description="email, or self («Получает сам»)")
    format: Literal["pdf", "xlsx", "xlsx_split"] = "pdf"
    addresses: str | None = Field(default=None, max_length=2000,
                                  description="e-mail addresses separated by ';' without spaces, at most 200 "
                                              "characters in all (more: 422 delivery.addresses_too_long)")


class InvoiceResend(_Body):
    period: str = Field(pattern=PERIOD_PATTERN, description="YYYY-MM, a past month")
    format: Literal["pdf", "xlsx", "xlsx_split"] | None = None


class PreliminaryOrder(_Body):
    numbers: str | None = Field(default=None, max_length=2000,
                                description="the account's own numbers separated by ';' (375xxxxxxx;375xxxxxxx); "
                                            "left out: every subscriber of the account")
    format: Literal["pdf", "xlsx"] = "pdf"


def _periods(today: date, back: range) -> list[str]:
    current = month_start(today)
    return [f"{add_months(current, -n):%Y-%m}" for n in back]


class CabinetInvoicingController(AccountController):
    tags = ["charges and invoices"]

    @get("/charges", summary="Charges of a month (current or the two before) per subscriber, with their lines",
         responses=answers(200, a.ChargesPage))
    async def charges(
        self, account: str, invoicing_api: InternalClient, clock: Clock, timezone: ZoneInfo,
        period: Annotated[str | None, Parameter(query="period", default=None, pattern=PERIOD_PATTERN)],
        line_id: Annotated[str | None, Parameter(query="line_id", default=None, pattern=ID_PATTERN)],
    ) -> dict[str, Any]:
        params = {k: v for k, v in (("period", period), ("line_id", line_id)) if v is not None}
        page = await invoicing_api.call("GET", f"/internal/v1/accounts/{account}/charges", params=params)
        return {**page, "periods": _periods(local_date(clock.now(), timezone), range(3))}

    @get("/charges/history", summary="Charges history («списания»): every line as posted, newest first",
         responses=answers(200, a.ChargesHistory))
    async def charges_history(
        self, account: str, invoicing_api: InternalClient, limit: Limit, offset: Offset,
        date_from: Annotated[date | None, Parameter(query="from", default=None)],
        date_to: Annotated[date | None, Parameter(query="to", default=None)],
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if date_from:
            params["from"] = date_from.isoformat()
        if date_to:
            params["to"] = date_to.isoformat()
        return await invoicing_api.call("GET", f"/internal/v1/accounts/{account}/charges/history", params=params)

    @get("/charges/previous-month", summary="The previous month's charges, the balance and the amount due",
         responses=answers(200, a.PreviousMonth))
    async def previous_month(self, account: str, invoicing_api: InternalClient, reads: Pool,
                             caller: Caller) -> dict[str, Any]:
        found = await invoicing_api.call("GET", f"/internal/v1/accounts/{account}/charges/previous-month")
        read = await account_balance_read(reads, account, caller.session_id)
        return {**found, "balance": read.page["balance"] if read.page else "0.00"}

    @get("/invoices", summary="Regular invoices of the two previous months with their documents",
         responses=answers(200, a.CabinetInvoices))
    async def invoices(self, account: str, invoicing_api: InternalClient, clock: Clock,
                       timezone: ZoneInfo) -> dict[str, Any]:
        today = local_date(clock.now(), timezone)
        periods = _periods(today, range(1, 3))
        found = await invoicing_api.call("GET", f"/internal/v1/accounts/{account}/invoices")
        base = f"/api/v1/accounts/{account}/invoices"
        shown = [{
            **{k: invoice[k] for k in ("invoice_id", "period", "number", "issued_at", "due_on", "subscribers", "net",
                                       "vat", "other_tax", "total")},
            "documents": [{**d, "download": f"{base}/{invoice['period']}/documents/{d['format']}"}
                          for d in invoice["documents"]],
        } for invoice in found["invoices"] if invoice["period"] in periods]
        return {"account_id": account, "periods": periods, "orders_open": today.day > WINDOW_LAST_DAY,
                "invoices": shown}

    @post("/invoices/{period:str}/documents", status_code=202,
          summary="Order an invoice's document (PDF or XLSX); made in the background, then downloaded",
          responses=answers(202, a.DocumentOrdered))
    async def order_document(self, account: str, period: Period, data: DocumentOrder, invoicing_api: InternalClient,
                             caller: Caller) -> dict[str, Any]:
        return await invoicing_api.call("POST", f"/internal/v1/accounts/{account}/invoice-orders",
                                        json={"period": period, "format": data.format}, actor=caller.actor)

    @get("/invoices/{period:str}/documents/{document_format:str}",
         summary="Download an ordered document (409 invoice.document_not_ready while it is being made)",
         responses=files(200, *DOCUMENT_TYPES, description="The file, named in content-disposition"))
    async def download(self, account: str, period: Period, document_format: Format, invoicing_api: InternalClient,
                       caller: Caller) -> Response[bytes]:
        found = await invoicing_api.file(
            f"/internal/v1/accounts/{account}/invoices/{period}/documents/{document_format}", actor=caller.actor)
        headers = {"content-disposition": found.disposition} if found.disposition else {}
        return Response(found.content, media_type=found.media_type, headers=headers)

    @get("/invoice-delivery", summary="How invoices are delivered: e-mail (PDF/XLSX) and addresses, or «Получает сам»",
         responses=answers(200, a.InvoiceDelivery))
    async def delivery(self, account: str, invoicing_api: InternalClient) -> dict[str, Any]:
        return await invoicing_api.call("GET", f"/internal/v1/accounts/{account}/invoice-delivery")

    @put("/invoice-delivery", status_code=200, summary="Change the delivery method and address",
         responses=answers(200, a.InvoiceDelivery))
    async def change_delivery(self, account: str, data: DeliveryChange, invoicing_api: InternalClient,
                              caller: Caller) -> dict[str, Any]:
        return await invoicing_api.call("PUT", f"/internal/v1/accounts/{account}/invoice-delivery",
                                        json=data.model_dump(mode="json", exclude_none=True), actor=caller.actor)

    @post("/invoice-sends", status_code=202, summary="E-mail a past month's invoice again, to the current address",
          responses=answers(202, a.InvoiceMailing))
    async def resend(self, account: str, data: InvoiceResend, invoicing_api: InternalClient,
                     caller: Caller) -> dict[str, Any]:
        return await invoicing_api.call("POST", f"/internal/v1/accounts/{account}/invoice-sends",
                                        json=data.model_dump(mode="json", exclude_none=True), actor=caller.actor)

    @post("/preliminary-invoices", status_code=202,
          summary="E-mail a preliminary invoice of the current month (the account or a list of its numbers)",
          responses=answers(202, a.InvoiceMailing))
    async def preliminary(self, account: str, data: PreliminaryOrder, invoicing_api: InternalClient,
                          caller: Caller) -> dict[str, Any]:
        return await invoicing_api.call("POST", f"/internal/v1/accounts/{account}/preliminary-invoices",
                                        json=data.model_dump(mode="json", exclude_none=True), actor=caller.actor)
