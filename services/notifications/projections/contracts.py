"""The other services' events as this service reads them: its own models of the payload fields it
needs (docs/events.md), never the producers' classes. Unknown fields are ignored."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AccountEvent",
    "AccountOpened",
    "AmountEvent",
    "CabinetUserCreated",
    "ChargePosted",
    "FeesForecast",
    "NotificationPreferencesChanged",
    "ProfileChanged",
    "PromisedPaymentExpired",
    "PromisedPaymentRepaid",
    "PromisedPaymentTaken",
]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AccountEvent(_Payload):
    account_id: str


class CabinetUserCreated(_Payload):
    user_id: str
    role: str
    account_ids: list[str]


class ProfileChanged(_Payload):
    user_id: str
    account_ids: list[str]
    sms_phone: str | None = None
    sms_phone_confirmed: bool = False
    email: str | None = None
    language: str = "ru"


class NotificationPreferencesChanged(_Payload):
    user_id: str
    account_ids: list[str]
    preferences: dict[str, list[str]]


class AccountOpened(AccountEvent):
    payment_form: str
    opening_balance: Decimal = Decimal("0.00")


class AmountEvent(AccountEvent):
    """PaymentRegistered, PaymentReversed, PromisedPaymentTaken: an amount moved."""

    amount: Decimal


class PromisedPaymentTaken(AmountEvent):
    promised_payment_id: str
    due_at: datetime


class PromisedPaymentRepaid(AmountEvent):
    promised_payment_id: str
    outstanding: Decimal
    fully_repaid: bool


class PromisedPaymentExpired(AccountEvent):
    promised_payment_id: str
    withdrawn: Decimal


class ChargePosted(AccountEvent):
    """billing.invoicing.events: one charge line (its total moves the funds, shared/funds.py)."""

    charge_id: str
    total: Decimal


class FeesForecast(AccountEvent):
    """billing.invoicing.events: what the account's periodic fees come to for `period`."""

    period: date
    amount: Decimal
    at: datetime
