"""What the invoicing service's internal API answers, as its OpenAPI document states it:
documentation only (`responses=answers(...)`, shared/openapi.py); the routes build their bodies in
the use cases. Money is a decimal string with 4 decimals, instants ISO 8601 with an offset, periods
`YYYY-MM`."""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict  # pydantic documents them from typing_extensions on Python < 3.12

__all__ = ["BillRun", "ChargesHistory", "ChargesPage", "Delivery", "DocumentOrder", "InstallmentCommand",
           "Installments", "Invoices", "Mailing", "PreviousMonth", "ReportOrder", "Reports", "UsagePosted"]

Money = str
Instant = str
Period = str


class Figures(TypedDict):
    net: Money
    vat: Money
    other_tax: Money
    total: Money


class ChargeRow(Figures):
    item: str
    kind: str
    description: str
    quantity: str | None
    days: int | None
    vat_rate: str


class SubscriberCharges(TypedDict):
    line_id: str | None
    identifier: str | None
    subscriber_name: str | None
    lines: list[ChargeRow]
    totals: Figures


class ChargesPage(TypedDict):
    account_id: str
    period: Period
    subscribers: list[SubscriberCharges]
    totals: Figures


class HistoryItem(Figures):
    charge_id: str
    kind: str
    item: str
    line_id: str | None
    description: str
    quantity: str | None
    period: Period
    from_day: str
    to_day: str
    vat_rate: str
    posted_at: Instant


class ChargesHistory(TypedDict):
    account_id: str
    items: list[HistoryItem]
    total: int
    limit: int
    offset: int


class InvoiceSubscriber(TypedDict):
    line_id: str
    identifier: str | None
    subscriber_name: str | None


class Document(TypedDict):
    format: Literal["pdf", "xlsx", "xlsx_split"]
    #: ordered -> ready (downloadable), or failed with `reason` (ordering it again retries)
    status: Literal["ordered", "ready", "failed"]
    ordered_at: Instant
    ready_at: Instant | None
    reason: str | None
    size: int | None


class Invoice(Figures):
    invoice_id: str
    kind: str
    period: Period
    series: str
    number: str
    issued_at: Instant
    due_on: str
    subscribers: list[InvoiceSubscriber]
    documents: list[Document]


class Invoices(TypedDict):
    account_id: str
    invoices: list[Invoice]


class UsagePosted(TypedDict):
    account_id: str
    charge_id: str
    posted: bool
    stream_id: str
    stream_version: int
    position: int


class DocumentOrder(TypedDict):
    invoice_id: str
    period: Period
    format: Literal["pdf", "xlsx", "xlsx_split"]
    status: Literal["ordered", "ready", "failed"]
    ordered_at: Instant


class BillRun(TypedDict):
    period: Period
    started_at: Instant
    accounts_total: int
    done: int
    issued: int
    finished_at: Instant | None
    status: Literal["running", "finished"]


class PreviousInvoice(TypedDict):
    invoice_id: str
    number: str
    total: Money
    #: the invoice's total in roubles and kopecks (2 decimals), «Сумма счета к оплате»
    amount_due: Money
    due_on: str
    issued_at: Instant


class PreviousMonth(TypedDict):
    account_id: str
    period: Period
    charges: Figures
    invoice: PreviousInvoice | None


class Delivery(TypedDict):
    account_id: str
    method: Literal["email", "self"]
    format: Literal["pdf", "xlsx", "xlsx_split"]
    addresses: list[str]
    #: the addresses as the cabinet shows and takes them: separated by ';'
    address_text: str
    changed_at: Instant | None


class Mailing(TypedDict):
    mailing_id: str
    account_id: str
    kind: Literal["regular", "resend", "preliminary", "charges"]
    period: Period
    format: Literal["pdf", "xlsx", "xlsx_split"]
    addresses: list[str]
    status: Literal["ordered"]
    numbers: NotRequired[list[str] | None]


class Installment(TypedDict):
    installment_id: str
    line_id: str | None
    identifier: str | None
    description: str
    total: Money
    payments: int
    monthly_amount: Money
    last_amount: Money
    first_month: Period
    payments_left: int
    paid_so_far: Money
    left_to_pay: Money
    payoff_date: str
    paid_off_early: bool


class Installments(TypedDict):
    account_id: str
    line_id: str | None
    installments: list[Installment]


class InstallmentCommand(TypedDict):
    account_id: str
    installment_id: str
    amount: NotRequired[Money | None]
    stream_id: str
    stream_version: int
    position: int


class ReportOrder(TypedDict):
    report_id: str
    account_id: str
    date_from: str
    date_to: str
    format: Literal["pdf", "xlsx", "xlsx_split"]
    status: Literal["ordered", "ready", "failed"]
    ordered_at: Instant
    ready_at: str | None
    reason: str | None
    size: int | None


class Reports(TypedDict):
    account_id: str
    reports: list[ReportOrder]
