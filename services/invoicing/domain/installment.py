"""Equipment sold in installments («рассрочка», INVOICING.md I-6; seeds 003/004 «Информация по
рассрочке»): the total is paid in equal monthly payments from a first month, each one a charge of
kind `installment` posted with that month's other charges; the last payment absorbs the rounding
remainder, so the payments add up to the total exactly (shared/money.py `split_evenly`). Paid off
early, the rest is one charge at once and no later payment is charged.

Pure: the business date comes in as an argument."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.calendar import add_months, month_start
from shared.errors import ValidationFailed
from shared.money import split_evenly

__all__ = ["MAX_PAYMENTS", "MAX_START_MONTHS", "Installment", "check_terms", "installment_item"]

#: At most five years of monthly payments.
MAX_PAYMENTS = 60
#: The first payment at most this many months after the current one.
MAX_START_MONTHS = 12


def installment_item(installment_id: str) -> str:
    return f"installment:{installment_id}"


@dataclass(frozen=True, slots=True)
class Installment:
    installment_id: str
    line_id: str | None
    description: str
    total: Decimal
    payments: int
    first_month: date
    vat_rate: Decimal
    #: The period it was paid off early in (None: paid month by month).
    paid_off_in: date | None = None

    @property
    def item(self) -> str:
        return installment_item(self.installment_id)

    @property
    def amounts(self) -> list[Decimal]:
        return split_evenly(self.total, self.payments)

    @property
    def monthly_amount(self) -> Decimal:
        return self.amounts[0]

    @property
    def last_month(self) -> date:
        return add_months(self.first_month, self.payments - 1)

    def payment_due(self, period: date) -> tuple[int, Decimal] | None:
        """The payment (its number from 1, and amount) due in `period`; None when none is (before
        the first month, after the last, or paid off by then)."""
        if self.paid_off_in is not None and period >= self.paid_off_in:
            return None
        if not self.first_month <= period <= self.last_month:
            return None
        number = (period.year - self.first_month.year) * 12 + period.month - self.first_month.month + 1
        return number, self.amounts[number - 1]

    def payment_label(self, number: int) -> str:
        return f"Рассрочка: {self.description}, платёж {number} из {self.payments}"

    @property
    def payoff_label(self) -> str:
        return f"Рассрочка: {self.description}, досрочное погашение"


def check_terms(total: Decimal, payments: int, first_month: date, today: date) -> date:
    """The first month (a period's first day) if the terms can be registered, else the refusal:
    `installment.payments_invalid` (1 to 60), `installment.amount_too_small` (a monthly payment
    under 0.01), `installment.first_month_out_of_range` (from the current month, up to 12 ahead)."""
    if not 1 <= payments <= MAX_PAYMENTS:
        raise ValidationFailed("installment.payments_invalid", f"1 to {MAX_PAYMENTS} monthly payments",
                               max_payments=MAX_PAYMENTS)
    if min(split_evenly(total, payments)) <= 0:
        raise ValidationFailed("installment.amount_too_small",
                               f"{total} in {payments} payments leaves a payment under 0.01")
    first = month_start(first_month)
    current = month_start(today)
    latest = add_months(current, MAX_START_MONTHS)
    if not current <= first <= latest:
        raise ValidationFailed("installment.first_month_out_of_range",
                               "the first payment is due from the current month, up to 12 months ahead",
                               earliest=f"{current:%Y-%m}", latest=f"{latest:%Y-%m}")
    return first
