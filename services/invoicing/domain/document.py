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

__all__ = ["CONTENT_TYPES", "TIME_CLASSES", "DocumentFormat", "DocumentRow", "DocumentSubscriber", "InvoiceDocument",
           "TimeSplitRow", "file_name", "invoice_document", "money_text", "period_title", "time_class_of",
           "time_split"]

#: `xlsx_split`: the split Excel (EXTRAS #43) (EXTRAS #43), the XLSX with usage split into working hours
#: 9:00-18:00, non-working hours and weekends/holidays.
DocumentFormat = Literal["pdf", "xlsx", "xlsx_split"]
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx_split": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXTENSIONS = {"pdf": "pdf", "xlsx": "xlsx", "xlsx_split": "xlsx"}
#: Telephony's time classes (the suffix of a usage item's class, `usage:<line>:off-net-out-working`),
#: as the split Excel (EXTRAS #43) names them, in its order.
TIME_CLASSES: dict[str, str] = {
    "working": "Рабочее время (9:00-18:00)",
    "non_working": "Нерабочее время",
    "weekend": "Выходные и праздничные дни",
}
_MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
           "ноябрь", "декабрь")
_FORMS = {"prepaid": "С предоплатой", "postpaid": "Без предоплаты"}


@dataclass(frozen=True, slots=True)
class DocumentRow:
    description: str
    vat_rate: Decimal
    figures: Figures
    item: str = ""

    @property
    def time_class(self) -> str | None:
        return time_class_of(self.item)


@dataclass(frozen=True, slots=True)
class TimeSplitRow:
    """One subscriber's usage in one time class, summed (the split Excel (EXTRAS #43))."""

    identifier: str | None
    name: str | None
    time_class: str
    title: str
    rows: int
    figures: Figures


def time_class_of(item: str) -> str | None:
    """The time class of a usage item (`usage:<line>:<class>-<time class>`); None for fees and for
    usage posted without one."""
    if not item.startswith("usage:"):
        return None
    usage_class = item.rsplit(":", 1)[-1]
    for time_class in sorted(TIME_CLASSES, key=len, reverse=True):  # non_working before working
        if usage_class.endswith(f"-{time_class}"):
            return time_class
    return None


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
    #: another title than an invoice's (the current month's charges by e-mail) and its file's name
    heading: str | None = None
    name_stem: str | None = None

    @property
    def title(self) -> str:
        if self.heading is not None:
            return self.heading
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
    extension = _EXTENSIONS.get(document_format, document_format)
    suffix = "-split" if document_format == "xlsx_split" else ""
    if document.name_stem is not None:
        return f"{document.name_stem}{suffix}.{extension}"
    if document.preliminary:
        return f"preliminary-{document.account_id}-{document.period:%Y-%m}{suffix}.{extension}"
    return f"{document.number}{suffix}.{extension}"


def time_split(document: InvoiceDocument) -> list[TimeSplitRow]:
    """Each subscriber's usage summed per time class, in the classes' order (classes without usage
    left out)."""
    split: list[TimeSplitRow] = []
    for subscriber in document.subscribers:
        for time_class, title in TIME_CLASSES.items():
            rows = [r for r in subscriber.rows if r.time_class == time_class]
            if not rows:
                continue
            zero = Decimal(0)
            figures = Figures(sum((r.figures.net for r in rows), zero), sum((r.figures.vat for r in rows), zero),
                              sum((r.figures.other_tax for r in rows), zero))
            split.append(TimeSplitRow(subscriber.identifier, subscriber.name, time_class, title, len(rows), figures))
    return split


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
            tuple(DocumentRow(r.description, r.vat_rate, r.figures, r.item) for r in charges.rows), charges.totals))
    zero = Decimal(0)
    totals = Figures(sum((s.totals.net for s in shown), zero), sum((s.totals.vat for s in shown), zero),
                     sum((s.totals.other_tax for s in shown), zero))
    return InvoiceDocument(invoice_id, number, account_id, period, issued_on, due_on, payment_form, tuple(shown),
                           totals, preliminary)
