"""What the cabinet's routes answer, as the OpenAPI document states it (issue 10, item 13).

The routes return their read models' dicts as they are: these types only document them
(`responses=answers(...)`, shared/openapi.py), so no page does any work per request for them (the
summary route is performance-critical). Money is a decimal string ("650.00"), instants are ISO 8601
with an offset, days are "YYYY-MM-DD". tests/contracts/test_schemathesis.py checks every answer
against them."""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict  # pydantic documents them from typing_extensions on Python < 3.12

__all__ = [
    "Accepted",
    "AccountPage",
    "AccountSelector",
    "AddOnOptions",
    "AddOnSwitched",
    "Autopay",
    "AutopayChanged",
    "Balance",
    "BlockChanged",
    "BlocksPage",
    "BulkAddOns",
    "CodeSent",
    "CredentialsReset",
    "Guarantee",
    "GuaranteeRegistered",
    "Guarantees",
    "Installments",
    "KnowledgeBase",
    "Me",
    "Messages",
    "MobileSettings",
    "MobileSettingsChanged",
    "NotificationPreferences",
    "PaymentHistory",
    "PreferencesChanged",
    "ProfileChanged",
    "ProfilePage",
    "PromisedOffer",
    "PromisedPaymentTaken",
    "PromisedPayments",
    "Renamed",
    "Report",
    "Reports",
    "Requisites",
    "Reversed",
    "ServicePasswordChanged",
    "SimPage",
    "Subscribers",
    "SupportRequestChanged",
    "SupportRequests",
    "SupportThread",
    "TariffChanged",
    "TariffOptions",
    "Tokens",
    "TopUpStarted",
    "TvSubscriptionChanged",
    "TvSubscriptions",
]

Money = str
Instant = str
Day = str


class _Page(TypedDict):
    total: int
    limit: int
    offset: int


class _Command(TypedDict):
    """Where a command's events landed, and whether the cabinet's read model shows them already."""

    stream_id: str
    stream_version: int
    position: int
    read_model_current: NotRequired[bool]


# -- login ---------------------------------------------------------------------------------------------
class TokenUser(TypedDict):
    user_id: str
    role: Literal["subscriber", "org_admin", "operator"]
    login: str
    account_ids: list[str]
    organization_id: str | None
    must_change_password: bool
    contact_phone_missing: bool
    language: str


class Tokens(TypedDict):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    refresh_token: str
    user: TokenUser


class Accepted(TypedDict):
    status: Literal["accepted"]
    detail: str


class Me(TypedDict):
    user_id: str
    role: Literal["subscriber", "org_admin", "operator"]
    account_ids: list[str]
    organization_id: str | None
    must_change_password: bool


# -- account pages -----------------------------------------------------------------------------------
class SelectorItem(TypedDict):
    account_id: str
    contract_number: str
    status: str
    client_name: str


class AccountSelector(_Page):
    items: list[SelectorItem]


class Client(TypedDict):
    kind: Literal["person", "organization"]
    name: str


class LineTariff(TypedDict):
    tariff_id: str
    name: str
    monthly_fee: Money
    vat_rate: Money
    effective_from: Day | None


class AddOn(TypedDict):
    service_id: str
    name: str
    status: str
    monthly_fee: Money
    connected_on: Day | None
    disconnected_on: Day | None


class Line(TypedDict):
    line_id: str
    kind: str
    identifier: str
    subscriber_name: str | None
    tariff: LineTariff
    add_ons: list[AddOn]


class BlockTerms(TypedDict):
    min_days: int
    max_days: int
    yearly_quota: int
    fee: Money


class Block(TypedDict):
    block_id: str
    state: Literal["scheduled", "active", "ended", "cancelled"]
    starts_on: Day
    ends_on: Day
    days: int
    fee: Money
    early: bool
    started_at: Instant | None
    ended_at: Instant | None


class BlocksPage(TypedDict):
    terms: BlockTerms | None
    available: int
    scheduled: list[Block]
    history: list[Block]


class AccountPage(TypedDict):
    """The summary: status, money, lines with tariffs and add-ons, blocks."""

    account_id: str
    contract_number: str
    client: Client
    organization_id: str | None
    payment_form: Literal["prepaid", "postpaid"]
    opened_at: Instant
    status: Literal["active", "blocked_financial", "blocked_voluntary", "closed"]
    balance: Money
    available: Money
    promised_outstanding: Money
    opening_balance: Money
    lines: list[Line]
    blocks: BlocksPage


class BlockChanged(_Command):
    account_id: str
    block_id: str
    starts_on: Day
    ends_on: Day
    days: int
    fee: Money
    state: str


class CatalogueTariff(TypedDict):
    tariff_id: str
    name: str
    kind: str
    monthly_fee: Money
    monthly_fee_net: str
    vat_rate: str
    self_service_change: bool


class TariffOptions(TypedDict):
    current: CatalogueTariff | None
    self_service_change: bool
    options: list[CatalogueTariff]


class TariffChanged(_Command):
    account_id: str
    line_id: str
    tariff_id: str
    mode: Literal["next_period", "now"]
    effective_from: Day | None


class Funds(TypedDict):
    balance: Money
    available: Money
    promised_outstanding: Money
    paid_total: Money
    opening_balance: Money
    updated_at: Instant | None


class Balance(TypedDict):
    account_id: str
    balance: Money
    available: Money
    promised_outstanding: Money
    paid_total: Money
    opening_balance: Money
    updated_at: Instant | None


class Payment(TypedDict):
    payment_id: str
    amount: Money
    method: str
    external_id: str | None
    paid_at: Instant
    top_up_id: str | None
    reversed: bool
    reversal_reason: str | None


class PaymentHistory(_Page):
    items: list[Payment]


# -- payments ----------------------------------------------------------------------------------------
class TopUpStarted(_Command):
    top_up_id: str
    account_id: str
    amount: Money
    provider: str
    redirect_url: str


class OutstandingPromise(TypedDict):
    promised_payment_id: str
    amount: Money
    outstanding: Money
    repaid: Money
    withdrawn: Money
    taken_at: Instant
    due_at: Instant
    status: str


class PromisedOffer(TypedDict):
    """Whether a promised payment can be taken now: the amounts, or why not (`reason`, `detail`)."""

    account_id: str
    available: bool
    reason: str | None
    detail: str | None
    available_from: Instant | None
    recommended_amount: Money
    max_amount: Money
    term_days: int
    outstanding: OutstandingPromise | None


class PromisedPayment(TypedDict):
    promised_payment_id: str
    amount: Money
    repaid: Money
    withdrawn: Money
    outstanding: Money
    status: str
    taken_at: Instant
    due_at: Instant
    settled_at: Instant | None


class PromisedPayments(_Page):
    outstanding: PromisedPayment | None
    items: list[PromisedPayment]


class PromisedPaymentTaken(_Command):
    account_id: str
    promised_payment_id: str
    amount: Money
    outstanding: Money
    repaid: Money
    withdrawn: Money
    taken_at: Instant
    due_at: Instant
    status: str


class LastCharge(TypedDict):
    period: str
    outcome: str
    amount: Money | None
    reason: str | None


class Autopay(TypedDict):
    account_id: str
    enabled: bool
    provider: str | None
    method_masked: str | None
    cap: Money | None
    last_charge: LastCharge | None


class AutopayChanged(_Command):
    account_id: str
    enabled: bool
    provider: str | None
    method_masked: str | None
    cap: Money | None


class Guarantee(TypedDict):
    guarantee_id: str
    amount: Money
    pay_by: Day
    invoice_ref: str | None
    registered_at: Instant


class Guarantees(TypedDict):
    since: Instant
    items: list[Guarantee]


class GuaranteeRegistered(_Command):
    account_id: str
    guarantee_id: str
    amount: Money
    pay_by: Day
    invoice_ref: str | None
    registered_at: Instant | None


class Reversed(_Command):
    account_id: str
    payment_id: str
    amount: Money
    reason: str
    reversed: bool


# -- messages, profile, organization ---------------------------------------------------------------
class Message(TypedDict):
    message_id: str
    status: Literal["pending", "sent", "failed"]
    channel: Literal["sms", "email"]
    address_masked: str
    topic: str
    template: str
    subject: str | None
    text: str
    attempts: int
    last_error: str | None
    queued_at: Instant | None
    send_after: Instant | None
    next_attempt_at: Instant | None
    sent_at: Instant | None
    failed_at: Instant | None


class Messages(_Page):
    items: list[Message]


class TopicChannels(TypedDict):
    topic: str
    default_channels: list[Literal["sms", "email"]]
    channels: list[Literal["sms", "email"]]


class NotificationPreferences(TypedDict):
    user_id: str
    topics: list[TopicChannels]


class PreferencesChanged(_Command):
    user_id: str
    preferences: dict[str, list[Literal["sms", "email"]]]


class ProfilePage(TypedDict):
    user_id: str
    role: Literal["subscriber", "org_admin", "operator"]
    login: str
    organization_id: str | None
    full_name: str | None
    contact_phone: str | None
    sms_phone: str | None
    sms_phone_confirmed: bool
    email: str | None
    address: str | None
    language: str
    passport_masked: str | None
    preferences: dict[str, list[Literal["sms", "email"]]]
    account_ids: list[str]


class ProfileChanged(_Command):
    user_id: str
    full_name: str | None
    contact_phone: str | None
    sms_phone: str | None
    sms_phone_confirmed: bool
    email: str | None
    address: str | None
    language: str
    passport_masked: str | None


class CodeSent(TypedDict):
    """`sent: false` when the phone is confirmed already."""

    sent: bool
    expires_at: NotRequired[Instant]
    sms_phone_confirmed: NotRequired[bool]


class Subscriber(TypedDict):
    line_id: str
    account_id: str
    kind: str
    identifier: str
    subscriber_name: str | None
    tariff_name: str | None


class Subscribers(_Page):
    items: list[Subscriber]


class RenamedLine(TypedDict):
    """One rename: where its event landed, or `error`, the code it was refused with alone."""

    account_id: str
    line_id: str
    stream_id: NotRequired[str]
    stream_version: NotRequired[int]
    position: NotRequired[int]
    error: NotRequired[str]


class Renamed(TypedDict):
    renamed: list[RenamedLine]


# -- invoicing: charges, invoices and their documents, delivery (issue 11 items 6-8) -----------------
class ChargeFigures(TypedDict):
    """4 decimals, as the seed's charges table: net, VAT, other tax («Налог на услуги»), total."""

    net: Money
    vat: Money
    other_tax: Money
    total: Money


class ChargeRow(ChargeFigures):
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
    totals: ChargeFigures


class ChargesPage(TypedDict):
    account_id: str
    period: str
    subscribers: list[SubscriberCharges]
    totals: ChargeFigures
    #: the periods the cabinet shows: the current month and the two before it
    periods: list[str]


class ChargeItem(ChargeFigures):
    charge_id: str
    kind: str
    item: str
    line_id: str | None
    description: str
    quantity: str | None
    period: str
    from_day: Day
    to_day: Day
    vat_rate: str
    posted_at: Instant


class ChargesHistory(TypedDict):
    account_id: str
    items: list[ChargeItem]
    total: int
    limit: int
    offset: int


class PreviousInvoice(TypedDict):
    invoice_id: str
    number: str
    total: Money
    amount_due: Money
    due_on: Day
    issued_at: Instant


class PreviousMonth(TypedDict):
    """Seed 004 2.1: «Начисления за предыдущий месяц», «Баланс лицевого счёта», «Сумма счета к оплате»."""

    account_id: str
    period: str
    charges: ChargeFigures
    balance: Money
    invoice: PreviousInvoice | None


class InvoiceDocument(TypedDict):
    format: Literal["pdf", "xlsx"]
    status: Literal["ordered", "ready", "failed"]
    ordered_at: Instant
    ready_at: Instant | None
    reason: str | None
    size: int | None
    #: where to download it once ready
    download: str


class InvoiceSubscriber(TypedDict):
    line_id: str
    identifier: str | None
    subscriber_name: str | None


class CabinetInvoice(ChargeFigures):
    invoice_id: str
    period: str
    number: str
    issued_at: Instant
    due_on: Day
    subscribers: list[InvoiceSubscriber]
    documents: list[InvoiceDocument]


class CabinetInvoices(TypedDict):
    account_id: str
    #: the two previous months («Просмотр счета возможен за предыдущие два месяца»)
    periods: list[str]
    #: false on days 1-3, while invoices are generated: orders answer 422 invoice.window_closed
    orders_open: bool
    invoices: list[CabinetInvoice]


class DocumentOrdered(TypedDict):
    invoice_id: str
    period: str
    format: Literal["pdf", "xlsx", "xlsx_split"]
    status: Literal["ordered", "ready", "failed"]
    ordered_at: Instant


class InvoiceDelivery(TypedDict):
    account_id: str
    method: Literal["email", "self"]
    format: Literal["pdf", "xlsx", "xlsx_split"]
    addresses: list[str]
    address_text: str
    changed_at: Instant | None


class InvoiceMailing(TypedDict):
    mailing_id: str
    account_id: str
    kind: Literal["regular", "resend", "preliminary", "charges"]
    period: str
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
    #: the last payment absorbs the rounding remainder: the payments add up to `total`
    last_amount: Money
    first_month: str
    payments_left: int
    paid_so_far: Money
    left_to_pay: Money
    #: the last payment's month (its first day), or the day it was paid off early
    payoff_date: str
    paid_off_early: bool


class Installments(TypedDict):
    """«Информация по рассрочке»: the account's installments, or one subscriber line's."""

    account_id: str
    line_id: str | None
    installments: list[Installment]


class Report(TypedDict):
    report_id: str
    account_id: str
    date_from: str
    date_to: str
    format: Literal["pdf", "xlsx"]
    #: ordered -> ready (downloadable at `download`), or failed with `reason`
    status: Literal["ordered", "ready", "failed"]
    ordered_at: Instant
    ready_at: Instant | None
    reason: str | None
    size: int | None
    download: str


class Reports(TypedDict):
    account_id: str
    reports: list[Report]
# -- support requests and the knowledge base ------------------------------------------------------------
SupportStatus = Literal["open", "closed"]


class SupportRequestChanged(_Command):
    request_id: str
    account_id: str
    status: SupportStatus
    messages: int


class SupportRequestItem(TypedDict):
    """`response_time_s`: seconds from filing to the first operator answer (null while unanswered)."""

    request_id: str
    topic: str
    title: str
    status: SupportStatus
    filed_at: Instant
    updated_at: Instant
    response_time_s: int | None


class SupportRequests(_Page):
    items: list[SupportRequestItem]


class SupportMessage(TypedDict):
    message_no: int
    by: Literal["author", "operator"]
    text: str
    at: Instant


class SupportThread(SupportRequestItem):
    account_id: str
    author_user_id: str
    messages: list[SupportMessage]


class KnowledgePage(TypedDict):
    page_id: str
    title: str
    topic: str
    text: str


class KnowledgeBase(TypedDict):
    pages: list[KnowledgePage]


# -- add-ons ---------------------------------------------------------------------------------------------
class AddOnOption(TypedDict):
    """`self_service`: the subscriber may connect or disconnect it here (the line's tariff allows)."""

    service_id: str
    name: str
    monthly_fee: Money
    connected: bool
    self_service: bool


class AddOnOptions(TypedDict):
    account_id: str
    line_id: str
    tariff_id: str
    add_ons: list[AddOnOption]


class AddOnSwitched(_Command):
    account_id: str
    line_id: str
    service_id: str
    connected: bool


class BulkChanged(TypedDict):
    account_id: str
    stream_id: str
    stream_version: int
    events: int


class BulkAddOns(TypedDict):
    action: Literal["connect", "disconnect"]
    service_id: str
    lines: int
    changed: list[BulkChanged]
    read_model_current: bool


class ServicePasswordChanged(_Command):
    account_id: str
    line_id: str
    kind: Literal["internet", "tv"]
    changed_at: Instant


# -- the client's requisites (EXTRAS #21, #49) --------------------------------------------------------------
class RequisitesClient(TypedDict):
    kind: Literal["person", "organization"]
    name: str
    tax_id: str | None
    bank_accounts: list[str]
    legal_address: str | None


class RequisitesContract(TypedDict):
    number: str
    date: Day


class InvoiceDeliveryPage(TypedDict):
    """`method`: `cabinet`, `email` (addresses joined by ";") or `post`; null when not set."""

    method: Literal["cabinet", "email", "post"] | None
    address: str | None


class Requisites(TypedDict):
    account_id: str
    opened_at: Instant
    status: Literal["active", "blocked_financial", "blocked_voluntary", "closed"]
    payment_form: Literal["prepaid", "postpaid"]
    client: RequisitesClient
    contract: RequisitesContract
    invoice_delivery: InvoiceDeliveryPage
    funds: Funds


class CredentialsReset(TypedDict):
    """Where the temporary password went (masked); the password itself only to the subscriber."""

    user_id: str
    channel: Literal["email", "sms"]
    address_masked: str
    expires_at: str
    stream_id: str
    stream_version: int


# -- TV partner subscriptions ----------------------------------------------------------------------------
class TvPackageOffer(TypedDict):
    service_id: str
    name: str
    partner: Literal["smotreshka", "24tv"]
    monthly_fee: str
    active: bool


class TvSubscriptions(TypedDict):
    account_id: str
    line_id: str
    partner_account: str
    packages: list[TvPackageOffer]


class TvSubscriptionChanged(_Command):
    account_id: str
    line_id: str
    service_id: str
    partner: Literal["smotreshka", "24tv"]
    partner_account: str
    active: bool


# -- mobile extras (seed 003) ------------------------------------------------------------------------------
class _MobileFields(TypedDict):
    """`call_forwarding`: condition (`unconditional`, `busy`, `no_answer`, `unreachable`) -> number."""

    account_id: str
    line_id: str
    closed_user_group: str | None
    call_forwarding: dict[str, str]
    voicemail_plus: bool
    voicemail_copy: str | None


class MobileSettings(_MobileFields):
    pass


class MobileSettingsChanged(_Command, _MobileFields):
    pass


class SimCodesPage(TypedDict):
    pin1: str
    puk1: str
    pin2: str
    puk2: str


class SimPage(TypedDict):
    """`codes`: null until the office records them."""

    account_id: str
    line_id: str
    closed_user_group: str | None
    codes: SimCodesPage | None
