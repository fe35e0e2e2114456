"""The accounts service's events about clients and personal accounts: public API on
`billing.accounts.events` (docs/events.md). Cabinet users' events are in `user_events`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

# The users' events are part of the same published contract: importing this module registers both.
from services.accounts.domain import support, user_events  # noqa: F401
from shared.events import DomainEvent, registry

__all__ = [
    "AccountClosed",
    "AccountOpened",
    "AddOnConnected",
    "AddOnDisconnected",
    "BlockCancelled",
    "BlockEnded",
    "BlockScheduled",
    "BlockStarted",
    "BlockTerms",
    "CallForwardingChanged",
    "ClientRegistered",
    "ClosedUserGroupChanged",
    "FinancialBlockApplied",
    "FinancialBlockLifted",
    "InvoiceDelivery",
    "LineKind",
    "PaymentForm",
    "ServiceLineAdded",
    "ServicePasswordChanged",
    "SimCodesRecorded",
    "SubscriberRenamed",
    "TariffChanged",
    "TvPartner",
    "TvSubscriptionActivated",
    "TvSubscriptionEnded",
    "VoicemailCopyChanged",
]

PaymentForm = Literal["prepaid", "postpaid"]
InvoiceDelivery = Literal["cabinet", "email", "post"]
#: TV partners (seed 002, TELEPHONY.md T-12): Smotreshka and 24chasaTV.
TvPartner = Literal["smotreshka", "24tv"]
LineKind = Literal["internet", "sip", "mobile", "tv"]


class BlockTerms(BaseModel):
    """A tariff's voluntary-block template, carried on the line so readers need no catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_days: int
    max_days: int
    yearly_quota: int
    fee: Decimal


@registry.register
class ClientRegistered(DomainEvent, type="ClientRegistered", version=1):
    client_id: str
    kind: Literal["person", "organization"]
    name: str
    tax_id: str | None = None
    bank_account: str | None = None
    legal_address: str | None = None
    payment_form: PaymentForm
    contract_number: str
    contract_date: date
    #: Added after v1 (additive): settlement accounts beyond `bank_account`, and how invoices are
    #: delivered (EXTRAS #21): `cabinet`, `email` (addresses joined by ";") or `post`, and where.
    other_bank_accounts: list[str] = []
    invoice_delivery: InvoiceDelivery | None = None
    invoice_address: str | None = None

    @property
    def partition_key(self) -> str | None:
        return f"client-{self.client_id}"


@registry.register
class AccountOpened(DomainEvent, type="AccountOpened", version=1):
    account_id: str
    client_id: str
    organization_id: str | None = None
    contract_number: str
    payment_form: PaymentForm
    opened_at: datetime
    #: Balance carried over from the previous billing system; may be negative.
    opening_balance: Decimal = Decimal("0.00")


@registry.register
class ServiceLineAdded(DomainEvent, type="ServiceLineAdded", version=1):
    account_id: str
    line_id: str
    kind: LineKind
    identifier: str
    subscriber_name: str
    tariff_id: str
    tariff_name: str
    monthly_fee: Decimal
    vat_rate: Decimal
    #: Added after v1 (additive): the tariff's block template, None when blocks are not offered.
    voluntary_block: BlockTerms | None = None


@registry.register
class TariffChanged(DomainEvent, type="TariffChanged", version=1):
    account_id: str
    line_id: str
    from_tariff_id: str
    to_tariff_id: str
    tariff_name: str
    monthly_fee: Decimal
    vat_rate: Decimal
    mode: Literal["next_period", "now"]
    effective_from: date
    voluntary_block: BlockTerms | None = None


@registry.register
class AddOnConnected(DomainEvent, type="AddOnConnected", version=1):
    account_id: str
    line_id: str
    service_id: str
    name: str
    monthly_fee: Decimal
    on: date


@registry.register
class AddOnDisconnected(DomainEvent, type="AddOnDisconnected", version=1):
    account_id: str
    line_id: str
    service_id: str
    name: str
    monthly_fee: Decimal
    on: date


@registry.register
class BlockScheduled(DomainEvent, type="BlockScheduled", version=1):
    account_id: str
    block_id: str
    starts_on: date
    ends_on: date  # inclusive
    days: int
    fee: Decimal


@registry.register
class BlockCancelled(DomainEvent, type="BlockCancelled", version=1):
    account_id: str
    block_id: str


@registry.register
class BlockStarted(DomainEvent, type="BlockStarted", version=1):
    account_id: str
    block_id: str
    at: datetime


@registry.register
class BlockEnded(DomainEvent, type="BlockEnded", version=1):
    account_id: str
    block_id: str
    at: datetime
    early: bool


@registry.register
class FinancialBlockApplied(DomainEvent, type="FinancialBlockApplied", version=1):
    """`reason` (added, optional): `funds` (a prepaid account's funds below zero) or
    `invoice_overdue` (a postpaid account's overdue invoice unpaid)."""

    account_id: str
    available: Decimal
    at: datetime
    reason: Literal["funds", "invoice_overdue"] = "funds"


@registry.register
class FinancialBlockLifted(DomainEvent, type="FinancialBlockLifted", version=1):
    account_id: str
    available: Decimal
    at: datetime


@registry.register
class AccountClosed(DomainEvent, type="AccountClosed", version=1):
    account_id: str
    at: datetime


@registry.register
class SubscriberRenamed(DomainEvent, type="SubscriberRenamed", version=1):
    account_id: str
    line_id: str
    subscriber_name: str
    effective_at: datetime


@registry.register
class ServicePasswordChanged(DomainEvent, type="ServicePasswordChanged", version=1):
    """The password of a line's service (internet login, TV account) changed and the network took
    it. The password is in no event."""

    account_id: str
    line_id: str
    kind: LineKind
    at: datetime


@registry.register
class TvSubscriptionActivated(DomainEvent, type="TvSubscriptionActivated", version=1):
    """The partner activated a subscription of a TV line (it comes with the `AddOnConnected` fact
    whose fee invoicing charges)."""

    account_id: str
    line_id: str
    service_id: str
    partner: TvPartner
    partner_package: str
    partner_account: str
    at: datetime


@registry.register
class TvSubscriptionEnded(DomainEvent, type="TvSubscriptionEnded", version=1):
    account_id: str
    line_id: str
    service_id: str
    partner: TvPartner
    at: datetime


# -- mobile extras of seed 003 (domain/mobile.py) ------------------------------------------------------------
@registry.register
class SimCodesRecorded(DomainEvent, type="SimCodesRecorded", version=1):
    """The office recorded the SIM card's PIN1/PUK1/PIN2/PUK2; the codes are in no event."""

    account_id: str
    line_id: str
    at: datetime


@registry.register
class ClosedUserGroupChanged(DomainEvent, type="ClosedUserGroupChanged", version=1):
    account_id: str
    line_id: str
    group: str | None  # None: the number is in no closed user group


@registry.register
class CallForwardingChanged(DomainEvent, type="CallForwardingChanged", version=1):
    account_id: str
    line_id: str
    condition: Literal["unconditional", "busy", "no_answer", "unreachable"]
    target: str | None  # None: cancelled


@registry.register
class VoicemailCopyChanged(DomainEvent, type="VoicemailCopyChanged", version=1):
    account_id: str
    line_id: str
    email: str | None  # None: no copy
