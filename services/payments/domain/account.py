"""A personal account as the payments service sees it: payments, top-ups, promised payments,
autopay and guarantees, all on one stream (`payment-account-<id>`), so every rule about the
account's money decides on one consistent state: 100 concurrent promised-payment requests append
against the same expected version, one wins, the others re-read and are refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.payments.domain import promised_payment as promised
from services.payments.domain.autopay import Autopay, AutopayRefused
from services.payments.domain.events import (
    AutopayChanged,
    AutopayCharged,
    AutopayDisabled,
    AutopayEnabled,
    AutopayFailed,
    PaymentGuaranteeRegistered,
    PaymentMethod,
    PaymentRegistered,
    PaymentReversed,
    PromisedPaymentExpired,
    PromisedPaymentRepaid,
    PromisedPaymentTaken,
    Provider,
    TopUpStarted,
)
from services.payments.domain.facts import AccountFacts
from services.payments.domain.guarantee import Guarantee, check_guarantee
from services.payments.domain.promised_payment import PromisedPayment
from shared.aggregate import Aggregate
from shared.errors import Conflict, DomainError, NotFound
from shared.events import DomainEvent
from shared.funds import Funds, movement

__all__ = ["PaymentAccount", "PaymentRequest", "stream_id_for"]

ZERO = Decimal("0.00")


def stream_id_for(account_id: str) -> str:
    return f"payment-account-{account_id}"


@dataclass(frozen=True)
class PaymentRequest:
    account_id: str
    amount: Decimal
    method: PaymentMethod
    external_id: str
    paid_at: datetime
    top_up_id: str | None = None


@dataclass
class Payment:
    amount: Decimal
    reversed: bool = False


class PaymentAccount(Aggregate):
    stream_type = "PaymentAccount"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.account_id = stream_id.removeprefix("payment-account-")
        self.paid_total = ZERO
        #: This stream's part of the available funds: what its events move (shared/funds.py).
        self.credited = ZERO
        self.payments: dict[str, Payment] = {}
        self.top_ups: dict[str, TopUpStarted] = {}
        #: Top-ups already paid, with the provider payment id that paid each (one top-up, one credit).
        self.paid_top_ups: dict[str, str] = {}
        self.promised: dict[str, PromisedPayment] = {}
        self.autopay: Autopay | None = None
        self.autopay_periods: dict[str, str] = {}
        self.guarantees: list[Guarantee] = []

    def apply(self, event: DomainEvent) -> None:
        move = movement("payments", event.event_type, event.model_dump())
        if move is not None:
            self.credited += move.credited
        match event:
            case PaymentRegistered():
                self.paid_total += event.amount
                self.payments[event.payment_id] = Payment(event.amount)
                if event.top_up_id is not None:
                    self.paid_top_ups.setdefault(event.top_up_id, event.external_id)
            case PaymentReversed():
                self.payments[event.payment_id].reversed = True
            case TopUpStarted():
                self.top_ups[event.top_up_id] = event
            case PromisedPaymentTaken():
                self.promised[event.promised_payment_id] = PromisedPayment(
                    event.promised_payment_id, event.amount, event.taken_at, event.due_at
                )
            case PromisedPaymentRepaid():
                self.promised[event.promised_payment_id].repaid += event.amount
            case PromisedPaymentExpired():
                self.promised[event.promised_payment_id].withdrawn += event.withdrawn
            case AutopayEnabled() | AutopayChanged():
                self.autopay = Autopay(event.provider, event.method_masked, event.cap)
            case AutopayDisabled():
                self.autopay = None
            case AutopayCharged():
                self.autopay_periods[event.period] = "charged"
            case AutopayFailed():
                self.autopay_periods[event.period] = "failed"
            case PaymentGuaranteeRegistered():
                self.guarantees.append(Guarantee(
                    event.guarantee_id, event.amount, event.pay_by, event.invoice_ref, event.registered_at
                ))

    @property
    def outstanding_promised(self) -> PromisedPayment | None:
        return next((p for p in self.promised.values() if p.outstanding > 0), None)

    def available(self, facts: AccountFacts) -> Decimal:
        """The one funds formula (shared/funds.py): the opening balance, what this stream moved,
        less what invoicing charged."""
        return Funds(facts.opening_balance, credited=self.credited, charged=facts.charged).available

    # -- payments ----------------------------------------------------------------------------
    def register_payment(self, request: PaymentRequest, payment_id: str, actor: str) -> list[DomainEvent]:
        """The payment, and the repayment of an outstanding promised payment it covers.

        A top-up (one provider invoice) is credited once: a payment for a top-up already paid under
        another provider payment id is refused (`top_up.already_paid`) and registers nothing. (The
        same id again never gets here: it is a repeat, answered by its idempotency key.)"""
        paid_by = self.paid_top_ups.get(request.top_up_id) if request.top_up_id is not None else None
        if paid_by is not None and paid_by != request.external_id:
            raise Conflict("top_up.already_paid",
                           f"top-up {request.top_up_id} was already paid by provider payment {paid_by}")
        events: list[DomainEvent] = [PaymentRegistered(
            account_id=request.account_id, payment_id=payment_id, amount=request.amount,
            method=request.method, external_id=request.external_id, paid_at=request.paid_at,
            registered_by=actor, top_up_id=request.top_up_id,
        )]
        credit = self.outstanding_promised
        if credit is not None:
            repaid = min(request.amount, credit.outstanding)
            events.append(PromisedPaymentRepaid(
                account_id=request.account_id, promised_payment_id=credit.promised_payment_id,
                amount=repaid, outstanding=credit.outstanding - repaid,
                fully_repaid=repaid == credit.outstanding, payment_id=payment_id,
            ))
        return events

    def reverse_payment(self, payment_id: str, reason: str, actor: str) -> list[DomainEvent]:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise NotFound("payment.not_found", f"payment {payment_id} is not on account {self.account_id}")
        if payment.reversed:
            raise Conflict("payment.already_reversed", f"payment {payment_id} was already reversed")
        return [PaymentReversed(account_id=self.account_id, payment_id=payment_id, amount=payment.amount,
                                reason=reason, reversed_by=actor)]

    def start_top_up(self, top_up_id: str, amount: Decimal, provider: Provider,
                     facts: AccountFacts | None) -> list[DomainEvent]:
        if facts is not None and facts.closed:
            raise DomainError("top_up.account_closed", "the account is closed")
        return [TopUpStarted(account_id=self.account_id, top_up_id=top_up_id, amount=amount, provider=provider)]

    # -- promised payments -------------------------------------------------------------------
    def offer(self, facts: AccountFacts, now: datetime, tz: ZoneInfo, cap: Decimal | None) -> promised.Offer:
        return promised.make_offer(facts, self.outstanding_promised, self.available(facts), now, tz, cap)

    def take_promised_payment(self, promised_payment_id: str, amount: Decimal, now: datetime,
                              facts: AccountFacts, tz: ZoneInfo, cap: Decimal | None) -> list[DomainEvent]:
        promised.check_amount(self.offer(facts, now, tz, cap), amount)
        return [PromisedPaymentTaken(account_id=self.account_id, promised_payment_id=promised_payment_id,
                                     amount=amount, taken_at=now, due_at=promised.due_at(now))]

    def expire_promised_payment(self, promised_payment_id: str, now: datetime) -> list[DomainEvent]:
        """At the end of the term, withdraw what is still unpaid (nothing if it was repaid)."""
        credit = self.promised.get(promised_payment_id)
        if credit is None or credit.outstanding <= 0 or now < credit.due_at:
            return []
        return [PromisedPaymentExpired(account_id=self.account_id, promised_payment_id=promised_payment_id,
                                       withdrawn=credit.outstanding)]

    # -- autopay -----------------------------------------------------------------------------
    def enable_autopay(self, provider: Provider, method_masked: str, cap: Decimal | None,
                       facts: AccountFacts | None) -> list[DomainEvent]:
        if facts is not None and facts.closed:
            raise AutopayRefused("autopay.account_closed", "the account is closed")
        kind = AutopayChanged if self.autopay is not None else AutopayEnabled
        return [kind(account_id=self.account_id, provider=provider, method_masked=method_masked, cap=cap)]

    def change_autopay_cap(self, cap: Decimal | None) -> list[DomainEvent]:
        current = self._autopay()
        return [AutopayChanged(account_id=self.account_id, provider=current.provider,
                               method_masked=current.method_masked, cap=cap)]

    def disable_autopay(self) -> list[DomainEvent]:
        self._autopay()
        return [AutopayDisabled(account_id=self.account_id)]

    def autopay_charged(self, period: str, request: PaymentRequest, payment_id: str) -> list[DomainEvent]:
        if period in self.autopay_periods:
            return []
        return [*self.register_payment(request, payment_id, "autopay"),
                AutopayCharged(account_id=self.account_id, period=period, amount=request.amount,
                               payment_id=payment_id)]

    def autopay_failed(self, period: str, amount: Decimal, reason: str) -> list[DomainEvent]:
        if period in self.autopay_periods:
            return []
        return [AutopayFailed(account_id=self.account_id, period=period, amount=amount, reason=reason)]

    def _autopay(self) -> Autopay:
        if self.autopay is None:
            raise AutopayRefused("autopay.not_enabled", "autopay is not enabled on this account")
        return self.autopay

    # -- guarantees --------------------------------------------------------------------------
    def register_guarantee(self, guarantee_id: str, amount: Decimal, pay_by: date, invoice_ref: str | None,
                           now: datetime, facts: AccountFacts, tz: ZoneInfo) -> list[DomainEvent]:
        check_guarantee(facts, pay_by, now, tz)
        return [PaymentGuaranteeRegistered(account_id=self.account_id, guarantee_id=guarantee_id, amount=amount,
                                           pay_by=pay_by, invoice_ref=invoice_ref, registered_at=now)]
