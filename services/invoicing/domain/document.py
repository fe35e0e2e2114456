"""An invoice's document (PDF or XLSX, issue 11 item 6; seed 004 2.3.2): what it shows, in Russian,
built from the invoice as issued and its period's charge lines (the charges page's rows, the
month's last subscriber names). Pure: the renderers (adapters/documents) only lay it out.

A document goes ordered -> ready (or failed, with the reason), made by the document worker after
the order committed, never in the request («формирование счета занимает определенное время»)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from services.invoicing.domain.page import PostedLine, charges_page
from services.invoicing.domain.proration import Figures
from shared.calendar import days_in_month

__all__ = ["CONTENT_TYPES", "DocumentFormat", "DocumentRow", "DocumentSubscriber", "InvoiceDocument", "file_name",
           "invoice_document", "money_text", "period_title"]

DocumentFormat = Literal["pdf", "xlsx"]
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
           "ноябрь", "декабрь")
_FORMS = {"prepaid": "С предоплатой", "postpaid": "Без предоплаты"}


@dataclass(frozen=True, slots=True)
class DocumentRow:
    description: str
    vat_rate: Decimal
    figures: Figures


@dataclass(frozen=True, slots=True)
class DocumentSubscriber:
    identifier: str | None
    name: str | None
    rows: tuple[DocumentRow, ...]
    totals: Figures


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    invoice_id: str
    number: str
    account_id: str
    period: date
    issued_on: date
    due_on: date
    payment_form: str
    subscribers: tuple[DocumentSubscriber, ...]
    totals: Figures
    #: the current month so far (seed 004 2.3.5), not an issued invoice: no number of a series
    preliminary: bool = False

    @property
    def title(self) -> str:
        if self.preliminary:
            return f"Предварительный счёт за {period_title(self.period)}"
        return f"Счёт № {self.number} за {period_title(self.period)}"

    @property
    def payment_form_text(self) -> str:
        return _FORMS.get(self.payment_form, self.payment_form)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.subscribers)


def period_title(period: date) -> str:
    """«май 2021»."""
    return f"{_MONTHS[period.month - 1]} {period.year}"


def money_text(amount: Decimal) -> str:
    """4 decimals with a decimal comma and thin groups, as the seed's tables show them: 1 300,0839."""
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):.4f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{fraction}"


def file_name(document: InvoiceDocument, document_format: str) -> str:
    if document.preliminary:
        return f"preliminary-{document.account_id}-{document.period:%Y-%m}.{document_format}"
    return f"{document.number}.{document_format}"


def invoice_document(*, invoice_id: str, number: str, account_id: str, period: date, issued_on: date,
                     due_on: date, payment_form: str, subscribers: Sequence[dict[str, str | None]],
                     lines: Iterable[PostedLine], preliminary: bool = False) -> InvoiceDocument:
    """The document of an issued invoice: its subscribers as the invoice names them (the month's
    last names), each with its rows of the period as the charges page groups them."""
    names = {s.get("line_id"): s for s in subscribers}
    shown = []
    for charges in charges_page(lines, days_in_month(period)):
        known = names.get(charges.line_id, {})
        shown.append(DocumentSubscriber(
            known.get("identifier"), known.get("subscriber_name") if charges.line_id else "Лицевой счёт",
            tuple(DocumentRow(r.description, r.vat_rate, r.figures) for r in charges.rows), charges.totals))
    zero = Decimal(0)
    totals = Figures(sum((s.totals.net for s in shown), zero), sum((s.totals.vat for s in shown), zero),
                     sum((s.totals.other_tax for s in shown), zero))
    return InvoiceDocument(invoice_id, number, account_id, period, issued_on, due_on, payment_form, tuple(shown),
                           totals, preliminary)
