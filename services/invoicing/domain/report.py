"""The report of payments and charges of an account for a period of days (seed 002 «Отчёты —
Получение отчётов по платежам и списаниям по лицевому счёту», INVOICING.md I-8): every payment
received and every charge posted in those days, in order, with their sums. Pure: the renderers
(adapters/documents/report.py) only lay it out; the document worker makes it after the order
committed, as an invoice's documents.

The range: local days `date_from`..`date_to`, `date_from` not after `date_to`, within the last 12
months (as the payment and charges histories) and not after today: `report.range_invalid`,
`request.date_range_too_old` (422)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from shared.calendar import twelve_months_before
from shared.errors import ValidationFailed
from shared.money import round_money

__all__ = ["REPORT_CONTENT_TYPES", "ChargeEntry", "PaymentEntry", "PaymentsAndCharges", "ReportFormat",
           "check_range", "payments_and_charges", "report_file_name"]

ReportFormat = Literal["pdf", "xlsx"]
REPORT_CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_METHODS = {"cash": "Наличные", "card": "Банковская карта", "bank_transfer": "Банковский перевод",
            "robokassa": "Robokassa", "uniteller": "Uniteller", "webhook": "Платёжная система",
            "sandbox": "Платёжная система (тест)", "autopay": "Автоплатёж"}


@dataclass(frozen=True, slots=True)
class PaymentEntry:
    paid_on: date
    method: str
    amount: Decimal
    reversed: bool

    @property
    def method_text(self) -> str:
        return _METHODS.get(self.method, self.method)


@dataclass(frozen=True, slots=True)
class ChargeEntry:
    posted_on: date
    period: date
    description: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class PaymentsAndCharges:
    account_id: str
    date_from: date
    date_to: date
    made_on: date
    payments: tuple[PaymentEntry, ...]
    charges: tuple[ChargeEntry, ...]

    @property
    def title(self) -> str:
        return (f"Отчёт по платежам и списаниям, лицевой счёт {self.account_id}, "
                f"{self.date_from:%d.%m.%Y} - {self.date_to:%d.%m.%Y}")

    @property
    def paid(self) -> Decimal:
        """Payments received less those reversed, 2 decimals."""
        return round_money(sum((p.amount for p in self.payments if not p.reversed), Decimal(0)))

    @property
    def charged(self) -> Decimal:
        """Charges posted (credits lower it), rounded once to 2 decimals."""
        return round_money(sum((c.total for c in self.charges), Decimal(0)))

    @property
    def row_count(self) -> int:
        return len(self.payments) + len(self.charges)


def check_range(date_from: date, date_to: date, today: date) -> None:
    if date_from > date_to or date_to > today:
        raise ValidationFailed("report.range_invalid", "'date_from' must not be after 'date_to', nor 'date_to' "
                                                       "after today", today=today.isoformat())
    earliest = twelve_months_before(today)
    if date_from < earliest:
        raise ValidationFailed("request.date_range_too_old", f"reports go back 12 months, to {earliest.isoformat()}",
                               earliest=earliest.isoformat())


def payments_and_charges(account_id: str, date_from: date, date_to: date, made_on: date,
                         payments: Iterable[PaymentEntry], charges: Iterable[ChargeEntry]) -> PaymentsAndCharges:
    return PaymentsAndCharges(account_id, date_from, date_to, made_on,
                              tuple(sorted(payments, key=lambda p: p.paid_on)),
                              tuple(sorted(charges, key=lambda c: c.posted_on)))


def report_file_name(account_id: str, date_from: date, date_to: date, report_format: str) -> str:
    return f"report-{account_id}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{report_format}"
