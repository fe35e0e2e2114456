"""The payments service's events: public API on `billing.payments.events` (docs/events.md).

No secret ever goes into an event: a saved payment method appears only masked (`****4242`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from shared.events import DomainEvent, registry

__all__ = [
    "AutopayChanged",
    "AutopayCharged",
    "AutopayDisabled",
    "AutopayEnabled",
    "AutopayFailed",
    "PaymentGuaranteeRegistered",
    "PaymentMethod",
    "PaymentRegistered",
    "PaymentReversed",
    "PromisedPaymentExpired",
    "PromisedPaymentRepaid",
    "PromisedPaymentTaken",
    "Provider",
    "TopUpStarted",
]

PaymentMethod = Literal["cash", "bank_transfer", "card", "robokassa", "uniteller", "webhook", "sandbox", "autopay"]
#: Online payment providers: top-ups are started with one of them and it calls back.
Provider = Literal["robokassa", "uniteller", "webhook", "sandbox"]


@registry.register
class PaymentRegistered(DomainEvent, type="PaymentRegistered", version=1):
    """Money reached the account: once per external (provider or bank) payment id."""

    account_id: str
    payment_id: str
    amount: Decimal
    method: PaymentMethod
    external_id: str
    paid_at: datetime
    registered_by: str
    #: The top-up this payment completes, when it came through a provider's callback.
    top_up_id: str | None = None


@registry.register
class PaymentReversed(DomainEvent, type="PaymentReversed", version=1):
    """An operator took a registered payment back (a chargeback, a mistaken entry); never a deletion."""

    account_id: str
    payment_id: str
    amount: Decimal
    reason: str
    reversed_by: str


@registry.register
class TopUpStarted(DomainEvent, type="TopUpStarted", version=1):
    """The cabinet sent the subscriber to a provider to pay `amount`; its callback completes it."""

    account_id: str
    top_up_id: str
    amount: Decimal
    provider: Provider


@registry.register
class PromisedPaymentTaken(DomainEvent, type="PromisedPaymentTaken", version=1):
    """A credit of `amount`, available at once, to be repaid by `due_at`."""

    account_id: str
    promised_payment_id: str
    amount: Decimal
    taken_at: datetime
    due_at: datetime


@registry.register
class PromisedPaymentRepaid(DomainEvent, type="PromisedPaymentRepaid", version=1):
    """A payment repaid `amount` of the credit; `outstanding` is what is left of it."""

    account_id: str
    promised_payment_id: str
    amount: Decimal
    outstanding: Decimal
    fully_repaid: bool
    #: The payment that repaid it.
    payment_id: str | None = None


@registry.register
class PromisedPaymentExpired(DomainEvent, type="PromisedPaymentExpired", version=1):
    """The term ended: the unpaid rest of the credit (`withdrawn`) is taken back."""

    account_id: str
    promised_payment_id: str
    withdrawn: Decimal


@registry.register
class AutopayEnabled(DomainEvent, type="AutopayEnabled", version=1):
    account_id: str
    provider: Provider
    method_masked: str
    cap: Decimal | None = None


@registry.register
class AutopayChanged(DomainEvent, type="AutopayChanged", version=1):
    account_id: str
    provider: Provider
    method_masked: str
    cap: Decimal | None = None


@registry.register
class AutopayDisabled(DomainEvent, type="AutopayDisabled", version=1):
    account_id: str


@registry.register
class AutopayCharged(DomainEvent, type="AutopayCharged", version=1):
    """Autopay topped up the account for `period` (YYYY-MM); the PaymentRegistered is `payment_id`."""

    account_id: str
    period: str
    amount: Decimal
    payment_id: str


@registry.register
class AutopayFailed(DomainEvent, type="AutopayFailed", version=1):
    """The provider refused the charge for `period`; notifications tell the subscriber."""

    account_id: str
    period: str
    amount: Decimal
    reason: str


@registry.register
class PaymentGuaranteeRegistered(DomainEvent, type="PaymentGuaranteeRegistered", version=1):
    """An organization promised to pay `amount` by `pay_by` (at the latest the 10th of next month)."""

    account_id: str
    guarantee_id: str
    amount: Decimal
    pay_by: date
    invoice_ref: str | None = None
    registered_at: datetime | None = None
