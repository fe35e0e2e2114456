"""The invoicing service's internal API (the gateway's and the office's): an account's charges page
per period and subscriber line, its invoices, and bill runs (operators' tools).

Problem details with stable codes: `request.invalid` (400, a period not like 2021-05),
`charges.period_out_of_range` (422, with `allowed`), `account.not_found`, `line.not_found`,
`bill_run.period_open` (422), `bill_run.not_found` (404); invoice orders: `invoice.window_closed`
(422, days 1-3, with `opens_on`), `invoice.period_out_of_range` (422), `invoice.not_found` (404);
documents: `invoice.document_not_ordered` (404), `invoice.document_not_ready` (409, with `document_status`
and `reason`); usage: `usage.period_invoiced` (409); installments (application/installments.py):
`installment.payments_invalid`, `installment.amount_too_small`, `installment.first_month_out_of_range`
(422), `installment.not_found` (404), `installment.paid_off` (409); reports (application/reports.py):
`report.range_invalid`, `request.date_range_too_old` (422), `report.not_found` (404), `report.not_ready`
(409)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Response, get, post, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.invoicing.application.bill_run import bill_run_json, start_bill_run
from services.invoicing.application.context import Invoicing
from services.invoicing.application.delivery import (
    change_delivery,
    delivery_of,
    mailing_document,
    order_charges_mail,
    order_preliminary,
    resend_invoice,
)
from services.invoicing.application.documents import Download, download_document
from services.invoicing.application.installments import (
    account_installments,
    pay_off_installment,
    register_installment,
)
from services.invoicing.application.orders import DocumentFormat, order_invoice_document
from services.invoicing.application.queries import account_charges, account_invoices, charges_history, previous_month
from services.invoicing.application.reports import account_reports, download_report, order_report
from services.invoicing.application.usage import RatedUsage, post_rated_usage
from services.invoicing.domain.delivery import DeliveryMethod
from services.invoicing.domain.document import CONTENT_TYPES
from services.invoicing.domain.invoice import parse_period
from services.invoicing.domain.report import REPORT_CONTENT_TYPES, ReportFormat
from services.invoicing.entrypoints import answers as a
from shared.calendar import month_start
from shared.errors import DomainError, NotFound
from shared.http import ID_PATTERN, AccountId, Actor, Amount, IdempotencyKey, command_metadata, command_response
from shared.openapi import answers, files

__all__ = ["AccountChargesController", "BillRunsController"]

PERIOD_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
PeriodQuery = Annotated[str | None, Parameter(query="period", default=None, pattern=PERIOD_PATTERN,
                                              description="YYYY-MM; the current month when left out")]
PeriodPath = Annotated[str, Parameter(pattern=PERIOD_PATTERN, description="YYYY-MM")]
FormatPath = Annotated[DocumentFormat, Parameter(description="pdf, xlsx or xlsx_split")]
ReportId = Annotated[str, Parameter(pattern=r"^[0-9a-f-]{36}$", description="a report's id")]
InstallmentId = Annotated[str, Parameter(pattern=r"^[0-9a-f-]{36}$", description="an installment's id")]
MailingId = Annotated[str, Parameter(pattern=r"^[0-9a-f-]{36}$", description="a mailing's id")]
LineQuery = Annotated[str | None, Parameter(query="line_id", default=None, pattern=ID_PATTERN,
                                            description="one subscriber line only")]


class AccountChargesController(Controller):
    path = "/internal/v1/accounts/{account_id:str}"

    @get("/charges", summary="The charges page of a period: per subscriber line, lines with VAT and totals",
         responses=answers(200, a.ChargesPage))
    async def charges(self, account_id: AccountId, invoicing: Invoicing, period: PeriodQuery,
                      line_id: LineQuery) -> dict[str, Any]:
        return await account_charges(invoicing, account_id, period, line_id)

    @get("/charges/history", summary="The charges history: every line as posted, newest first (12 months)",
         responses=answers(200, a.ChargesHistory))
    async def history(
        self, account_id: AccountId, invoicing: Invoicing,
        date_from: Annotated[date | None, Parameter(query="from", default=None)],
        date_to: Annotated[date | None, Parameter(query="to", default=None)],
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        return await charges_history(invoicing, account_id, date_from, date_to, limit, offset)

    @get("/invoices", summary="The account's regular invoices, newest first",
         responses=answers(200, a.Invoices))
    async def invoices(self, account_id: AccountId, invoicing: Invoicing) -> dict[str, Any]:
        return await account_invoices(invoicing, account_id)

    @get("/invoices/{period:str}/documents/{document_format:str}",
         summary="Download an ordered document once ready (409 invoice.document_not_ready before)",
         responses=files(200, *CONTENT_TYPES.values(), description="The file, named in content-disposition"))
    async def download(self, account_id: AccountId, period: PeriodPath, document_format: FormatPath,
                       invoicing: Invoicing) -> Response[bytes]:
        return _file(await download_document(invoicing, account_id, period, document_format))

    @get("/charges/previous-month", summary="The previous month's charges and its regular invoice (amount due)",
         responses=answers(200, a.PreviousMonth))
    async def previous(self, account_id: AccountId, invoicing: Invoicing) -> dict[str, Any]:
        return await previous_month(invoicing, account_id)

    @get("/invoice-delivery", summary="How the account receives its invoices: e-mail (PDF/XLSX) or «Получает сам»",
         responses=answers(200, a.Delivery))
    async def delivery(self, account_id: AccountId, invoicing: Invoicing) -> dict[str, Any]:
        return await delivery_of(invoicing, account_id)

    @put("/invoice-delivery", status_code=200, summary="Change the delivery method, format and addresses",
         responses=answers(200, a.Delivery))
    async def change_delivery(self, account_id: AccountId, data: ChangeDelivery, invoicing: Invoicing,
                              actor: Actor) -> dict[str, Any]:
        return await change_delivery(invoicing, account_id, data.method, data.format, data.addresses, actor)

    @post("/invoice-sends", status_code=202, summary="E-mail a past month's invoice again, to the current address",
          responses=answers(202, a.Mailing))
    async def resend(self, account_id: AccountId, data: ResendInvoice, invoicing: Invoicing,
                     actor: Actor) -> dict[str, Any]:
        return await resend_invoice(invoicing, account_id, data.period, data.format, actor)

    @post("/preliminary-invoices", status_code=202,
          summary="E-mail a preliminary invoice of the current month: the whole account or a list of its numbers",
          responses=answers(202, a.Mailing))
    async def preliminary(self, account_id: AccountId, data: OrderPreliminary, invoicing: Invoicing,
                          actor: Actor) -> dict[str, Any]:
        return await order_preliminary(invoicing, account_id, data.numbers, data.format, actor)

    @post("/charges-mailings", status_code=202,
          summary="E-mail the current month's charges per subscriber (every one, or a list of the account's numbers)",
          responses=answers(202, a.Mailing))
    async def charges_mail(self, account_id: AccountId, data: OrderPreliminary, invoicing: Invoicing,
                           actor: Actor) -> dict[str, Any]:
        return await order_charges_mail(invoicing, account_id, data.numbers, data.format, actor)

    @get("/mailings/{mailing_id:str}/document", summary="The file of an invoice to mail (notifications attach it)",
         responses=files(200, *CONTENT_TYPES.values(), description="The file, named in content-disposition"))
    async def mailing(self, account_id: AccountId, mailing_id: MailingId, invoicing: Invoicing) -> Response[bytes]:
        return _file(await mailing_document(invoicing, account_id, mailing_id))

    @post("/usage", status_code=201, summary="Post rated usage as a charge line (telephony); once per usage_id",
          responses=answers(201, a.UsagePosted))
    async def usage(self, account_id: AccountId, data: PostUsage, invoicing: Invoicing, actor: Actor,
                    key: IdempotencyKey) -> Response[dict[str, Any]]:
        usage = RatedUsage(data.usage_id, data.line_id, data.usage_class, data.description, data.quantity, data.day,
                           Decimal(data.net), Decimal(data.vat_rate))
        result = await post_rated_usage(invoicing, account_id, usage, command_metadata(actor), key)
        return command_response(result, status=201 if result.event_ids else 200)

    @post("/invoice-orders", status_code=202,
          summary="Order a previous month's invoice as PDF or XLSX (refused on days 1-3: invoice.window_closed)",
          responses=answers(202, a.DocumentOrder))
    async def order(self, account_id: AccountId, data: OrderDocument, invoicing: Invoicing,
                    actor: Actor) -> dict[str, Any]:
        return await order_invoice_document(invoicing, account_id, data.period, data.format, actor)

    @get("/installments", summary="«Информация по рассрочке»: the account's (or one line's) installments",
         responses=answers(200, a.Installments))
    async def installments(self, account_id: AccountId, invoicing: Invoicing, line_id: LineQuery) -> dict[str, Any]:
        return await account_installments(invoicing, account_id, line_id)

    @post("/installments", status_code=201,
          summary="Register equipment sold in installments (the office): monthly payments charged from first_month",
          responses=answers(201, a.InstallmentCommand))
    async def register_installment(self, account_id: AccountId, data: RegisterInstallment, invoicing: Invoicing,
                                   actor: Actor, key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await register_installment(
            invoicing, account_id, line_id=data.line_id, description=data.description, total=data.total,
            payments=data.payments, first_month=parse_period(data.first_month), metadata=command_metadata(actor),
            key=key)
        return command_response(result, status=201)

    @post("/installments/{installment_id:str}/payoff", status_code=201,
          summary="An installment paid off early: the rest charged at once, no later payment",
          responses=answers(201, a.InstallmentCommand))
    async def pay_off_installment(self, account_id: AccountId, installment_id: InstallmentId, invoicing: Invoicing,
                                  actor: Actor, key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await pay_off_installment(invoicing, account_id, installment_id, command_metadata(actor), key)
        return command_response(result, status=201)

    @post("/reports", status_code=202,
          summary="Order a report of payments and charges for a range of days (PDF or XLSX), made in the background",
          responses=answers(202, a.ReportOrder))
    async def order_report(self, account_id: AccountId, data: OrderReport, invoicing: Invoicing,
                           actor: Actor) -> dict[str, Any]:
        return await order_report(invoicing, account_id, data.date_from, data.date_to, data.format, actor)

    @get("/reports", summary="The account's reports of payments and charges, newest first",
         responses=answers(200, a.Reports))
    async def reports(self, account_id: AccountId, invoicing: Invoicing) -> dict[str, Any]:
        return await account_reports(invoicing, account_id)

    @get("/reports/{report_id:str}/document",
         summary="Download a report once ready (409 report.not_ready before)",
         responses=files(200, *sorted(set(REPORT_CONTENT_TYPES.values())),
                         description="The file, named in content-disposition"))
    async def download_report(self, account_id: AccountId, report_id: ReportId,
                              invoicing: Invoicing) -> Response[bytes]:
        return _file(await download_report(invoicing, account_id, report_id))


def _file(found: Download) -> Response[bytes]:
    return Response(found.content, media_type=found.content_type,
                    headers={"content-disposition": f'attachment; filename="{found.file_name}"'})


class ChangeDelivery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: DeliveryMethod = Field(description="email, or self («Получает сам»)")
    format: DocumentFormat = "pdf"
    addresses: str | None = Field(default=None, max_length=2000,
                                  description="e-mail addresses separated by ';' without spaces, at most 200 "
                                              "characters (longer: 422 delivery.addresses_too_long); left out: "
                                              "the current ones")


class ResendInvoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=PERIOD_PATTERN, description="YYYY-MM, a past month (up to 12 back)")
    format: DocumentFormat | None = Field(default=None, description="the delivery format when left out")


class OrderPreliminary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: str | None = Field(default=None, max_length=2000,
                                description="the account's own numbers separated by ';' (375xxxxxxx;375xxxxxxx); "
                                            "left out: the whole account")
    format: DocumentFormat = "pdf"


class RegisterInstallment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_id: str | None = Field(default=None, pattern=ID_PATTERN, description="the subscriber's line; left out: "
                                                                               "the whole account")
    description: str = Field(min_length=1, max_length=200, description="the equipment, e.g. «Роутер TP-Link»")
    total: Amount = Field(description="the price in all (gross), e.g. \"360.00\"")
    payments: int = Field(description="monthly payments, 1 to 60")
    first_month: str = Field(pattern=PERIOD_PATTERN, description="YYYY-MM of the first payment: the current month "
                                                                 "or up to 12 ahead")


class OrderReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_from: date = Field(description="the first local day, within the last 12 months")
    date_to: date = Field(description="the last local day, not after today")
    format: ReportFormat = "pdf"


class OrderDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=PERIOD_PATTERN, description="YYYY-MM, one of the two previous months")
    format: DocumentFormat = "pdf"


class PostUsage(BaseModel):
    """Rated usage of one line, as telephony rates it: one charge line per `usage_id`."""

    model_config = ConfigDict(extra="forbid")

    usage_id: str = Field(pattern=ID_PATTERN)
    line_id: str = Field(pattern=ID_PATTERN)
    usage_class: str = Field(pattern=ID_PATTERN, description="e.g. on-net-out")
    description: str = Field(min_length=1, max_length=200, description="as on the charges page")
    quantity: str = Field(min_length=1, max_length=32, description="as shown, e.g. 00:07:00")
    day: date
    net: str = Field(pattern=r"^-?[0-9]{1,10}(\.[0-9]{1,4})?$",
                     description="4 decimals at most, e.g. 12.3456; negative for a re-rating's refund")
    vat_rate: str = Field(pattern=r"^[0-9]{1,2}(\.[0-9]{1,2})?$", description="percent, e.g. 25")


class StartBillRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=PERIOD_PATTERN, description="YYYY-MM, a closed period")


class BillRunsController(Controller):
    path = "/internal/v1/bill-runs"

    @post("/", status_code=202, summary="Start the bill run of a closed period (again: nothing new)",
          responses=answers(202, a.BillRun))
    async def start(self, data: StartBillRun, invoicing: Invoicing) -> Response[dict[str, Any]]:
        period = parse_period(data.period)
        if period >= month_start(invoicing.today()):
            raise DomainError("bill_run.period_open", f"period {data.period} is not closed yet")
        async with invoicing.pool.acquire() as conn, conn.transaction():
            await start_bill_run(invoicing, conn, period, invoicing.clock.now())
            run = await invoicing.bill_runs.status(conn, period)
        assert run is not None
        return Response(bill_run_json(run), status_code=202)

    @get("/{period:str}", summary="A bill run's progress", responses=answers(200, a.BillRun))
    async def status(self, period: PeriodPath, invoicing: Invoicing) -> dict[str, Any]:
        first = parse_period(period)
        async with invoicing.pool.acquire() as conn:
            run = await invoicing.bill_runs.status(conn, first)
        if run is None:
            raise NotFound("bill_run.not_found", f"no bill run for {period}")
        return bill_run_json(run)
