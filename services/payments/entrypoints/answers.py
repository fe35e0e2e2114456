"""What the payments service's internal API answers, as its OpenAPI document states it (issue 10,
item 13): documentation only (`responses=answers(...)`, shared/openapi.py); the routes build their
bodies in the use cases. Money is a decimal string, instants ISO 8601 with an offset."""

from __future__ import annotations

from typing import Literal, NotRequired

from typing_extensions import TypedDict  # pydantic documents them from typing_extensions on Python < 3.12

__all__ = ["Autopay", "Guarantee", "Offer", "Payment", "PromisedPayment", "Reversal", "TopUp"]

Money = str
Instant = str


class _Command(TypedDict):
    """Where the command's events landed (the gateway waits for its read model to show them)."""

    stream_id: str
    stream_version: int
    position: int


class Payment(_Command):
    payment_id: str
    account_id: str
    amount: Money
    method: str
    external_id: str
    paid_at: Instant
    top_up_id: str | None
    account_closed: NotRequired[bool]


class TopUp(_Command):
    top_up_id: str
    account_id: str
    amount: Money
    provider: Literal["robokassa", "uniteller", "webhook", "sandbox"]
    redirect_url: str


class Outstanding(TypedDict):
    promised_payment_id: str
    amount: Money
    outstanding: Money
    repaid: Money
    withdrawn: Money
    taken_at: Instant
    due_at: Instant
    status: str


class Offer(TypedDict):
    account_id: str
    available: bool
    reason: str | None
    detail: str | None
    available_from: Instant | None
    recommended_amount: Money
    max_amount: Money
    term_days: int
    outstanding: Outstanding | None


class PromisedPayment(_Command, Outstanding):
    account_id: str


class Autopay(_Command):
    account_id: str
    enabled: bool
    provider: str | None
    method_masked: str | None
    cap: Money | None


class Guarantee(_Command):
    account_id: str
    guarantee_id: str
    amount: Money
    pay_by: str
    invoice_ref: str | None
    registered_at: Instant | None


class Reversal(_Command):
    account_id: str
    payment_id: str
    amount: Money
    reason: str
    reversed: bool
