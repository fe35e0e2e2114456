"""The invoicing service's events: public API on `billing.invoicing.events` (docs/events.md).

Invoicing owns what an account is charged. Every charge is a line as the cabinet's charges page shows
it (net, VAT rate, VAT, other tax, total, at 4 decimals); a correction is a new line (a credit with
negative figures), never an edit. Funds everywhere are `payments + promised credit outstanding -
Σ charge totals`, rounded once (shared/funds.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from shared.events import DomainEvent, registry

__all__ = ["ChargeKind", "ChargePosted", "FeesForecast", "InstallmentPaidOff", "InstallmentRegistered",
           "InvoiceDeliveryChanged", "InvoiceDocumentReady", "InvoiceIssued", "InvoiceMailReady", "InvoiceOverdue"]

#: What a charge line is for: a tariff's periodic fee, an add-on's (or channel package's) fee, a
#: voluntary block's own fee, rated usage, an equipment installment, or a credit (unused days
#: given back, e.g. after a tariff change or a block).
ChargeKind = Literal["subscription", "add_on", "block_fee", "usage", "installment", "credit"]


@registry.register
class ChargePosted(DomainEvent, type="ChargePosted", version=1):
    """One line charged to an account for a billing period: posted once per `charge_id` (a re-run or
    a duplicated delivery posts nothing new). `total` (net + VAT + other tax, 4 decimals) lowers the
    account's funds; a credit's figures are negative and raise them."""

    account_id: str
    charge_id: str
    #: The billing period: the first day of the calendar month, in the operator's time zone.
    period: date
    kind: ChargeKind
    #: What is charged, in the fee schedule's ids: `line:<line>`, `add-on:<line>:<service>`,
    #: `block:<block>`, `usage:<line>:<class>`, `installment:<id>`.
    item: str
    #: The subscriber's service line, or None for a charge of the whole account.
    line_id: str | None = None
    #: The line as the charges page shows it, e.g. "План SIP-соединение 27".
    description: str
    #: The service days covered, inclusive (the whole month for a fee charged in advance).
    from_day: date
    to_day: date
    #: A usage line's quantity as shown, e.g. "00:07:00"; None for fees.
    quantity: str | None = None
    net: Decimal
    #: Percent, e.g. 25 for 25 %.
    vat_rate: Decimal
    vat: Decimal
    other_tax: Decimal = Decimal("0")
    total: Decimal
    posted_at: datetime
    #: Added after v1 (additive): the monthly price (gross) a fee line is prorated from, the key its
    #: lines add up under (with item and vat_rate); None for usage and installments.
    monthly_fee: Decimal | None = None


@registry.register
class FeesForecast(DomainEvent, type="FeesForecast", version=1):
    """What the account's periodic fees will come to for `period` (gross, 2 decimals), as invoicing
    prices them now; published again whenever it changes (tariff, add-ons, blocks) and at each period
    start. Autopay and the period-end reminder read it instead of pricing fees themselves."""

    account_id: str
    period: date
    amount: Decimal
    at: datetime


@registry.register
class InvoiceIssued(DomainEvent, type="InvoiceIssued", version=1):
    """The regular invoice of an account for a closed period: one per account and period, numbered
    without gaps in its series."""

    account_id: str
    invoice_id: str
    series: str
    number: str
    period: date
    net: Decimal
    vat: Decimal
    other_tax: Decimal
    total: Decimal
    issued_at: datetime
    due_on: date


@registry.register
class InvoiceDocumentReady(DomainEvent, type="InvoiceDocumentReady", version=1):
    """An invoice's document (PDF or XLSX) was made and can be downloaded from the internal API
    (`GET /internal/v1/accounts/{account}/invoices/{period}/documents/{format}`): published once per
    time it is made (ordered again after a failure: again)."""

    account_id: str
    invoice_id: str
    number: str
    period: date
    format: Literal["pdf", "xlsx", "xlsx_split"]
    file_name: str
    content_type: str
    size: int
    ordered_by: str
    ready_at: datetime


@registry.register
class InvoiceDeliveryChanged(DomainEvent, type="InvoiceDeliveryChanged", version=1):
    """How the account receives its regular invoices from now on: `email` (in `format`, to
    `addresses`) or `self` («Получает сам»: downloads them in the cabinet)."""

    account_id: str
    method: Literal["email", "self"]
    format: Literal["pdf", "xlsx", "xlsx_split"]
    addresses: list[str]
    changed_at: datetime


@registry.register
class InvoiceMailReady(DomainEvent, type="InvoiceMailReady", version=1):
    """An invoice to e-mail is ready: the notifications service fetches the file from
    `GET /internal/v1/accounts/{account}/mailings/{mailing_id}/document` and mails it to `addresses`.
    `kind`: `regular` (at issue, to the address valid then), `resend` (a past period, to the current
    address), `preliminary` (the current month so far; `number` is None), `charges` (added later: the
    current month's charges per subscriber, seed 004 2.3; `number` is None)."""

    account_id: str
    mailing_id: str
    kind: Literal["regular", "resend", "preliminary", "charges"]
    period: date
    invoice_id: str | None = None
    number: str | None = None
    format: Literal["pdf", "xlsx", "xlsx_split"]
    file_name: str
    content_type: str
    size: int
    addresses: list[str]
    ready_at: datetime


@registry.register
class InvoiceOverdue(DomainEvent, type="InvoiceOverdue", version=1):
    """A postpaid account's regular invoice is unpaid after its due date and no payment guarantee
    covers it (seed 004 2.2: unpaid, the services are suspended as the contract provides): the
    accounts service may suspend the account. Published once per invoice. `unpaid`: what is left
    of its total (2 decimals), payments counted oldest invoice first."""

    account_id: str
    invoice_id: str
    number: str
    period: date
    total: Decimal
    unpaid: Decimal
    due_on: date
    at: datetime


@registry.register
class InstallmentRegistered(DomainEvent, type="InstallmentRegistered", version=1):
    """Equipment sold in installments (the office registers it): `total` (gross, 2 decimals) paid in
    `payments` monthly payments from `first_month`, each a ChargePosted of kind `installment` (item
    `installment:<installment_id>`) posted with that month's other charges; `monthly_amount` each,
    the last one `last_amount` (it absorbs the rounding remainder: the payments add up to `total`)."""

    account_id: str
    installment_id: str
    #: The subscriber's line the equipment is for, or None for the whole account.
    line_id: str | None = None
    description: str
    total: Decimal
    payments: int
    #: The first payment's period (the first day of a calendar month).
    first_month: date
    monthly_amount: Decimal
    last_amount: Decimal
    vat_rate: Decimal
    registered_at: datetime


@registry.register
class InstallmentPaidOff(DomainEvent, type="InstallmentPaidOff", version=1):
    """An installment paid off early: what was left of its total (`amount`) is charged at once in
    `period` (a ChargePosted beside this event) and no later monthly payment is."""

    account_id: str
    installment_id: str
    period: date
    amount: Decimal
    paid_off_at: datetime
