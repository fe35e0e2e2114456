"""An invoice as XLSX (XlsxWriter, constant-memory mode: each row goes to disk as written, so a
document of 100,000 rows needs no more memory than one of ten). One sheet: the header, then every
row with its subscriber, the seed's columns as numbers with 4 decimals, the totals. The split Excel
(EXTRAS #43, `render_xlsx_split`) adds each usage row's time class (working hours 9:00-18:00,
non-working hours, weekends and holidays) and a second sheet summing usage per subscriber and class."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from services.invoicing.domain.document import TIME_CLASSES, InvoiceDocument, time_split

__all__ = ["render_xlsx", "render_xlsx_split"]

HEADER = ("Абонент", "Имя абонента", "Услуга", "Сумма", "Ставка НДС, %", "Сумма НДС", "Налог на услуги",
          "Всего с учетом налогов")


def _number(amount: Decimal) -> float:
    """A cell's value: spreadsheets keep numbers as doubles; 4 decimals below 10^11 survive exactly."""
    return float(amount)


def render_xlsx_split(document: InvoiceDocument) -> bytes:
    return render_xlsx(document, split=True)


def render_xlsx(document: InvoiceDocument, *, split: bool = False) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    book.set_properties({"title": document.title, "author": "billing"})
    sheet = book.add_worksheet("Счёт")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.0000"})
    money_bold = book.add_format({"num_format": "0.0000", "bold": True})
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, 7, 14)
    sheet.write_string(0, 0, document.title, bold)
    sheet.write_string(1, 0, "Лицевой счёт")
    sheet.write_string(1, 1, document.account_id)
    sheet.write_string(2, 0, "Форма оплаты")
    sheet.write_string(2, 1, document.payment_form_text)
    sheet.write_string(3, 0, "Дата выставления")
    sheet.write_string(3, 1, f"{document.issued_on:%d.%m.%Y}")
    sheet.write_string(4, 0, "Оплатить до")
    sheet.write_string(4, 1, f"{document.due_on:%d.%m.%Y}")
    header = (*HEADER, "Время") if split else HEADER
    for column, title in enumerate(header):
        sheet.write_string(6, column, title, bold)
    r = 7
    for subscriber in document.subscribers:
        for row in subscriber.rows:
            f = row.figures
            sheet.write_string(r, 0, subscriber.identifier or "")
            sheet.write_string(r, 1, subscriber.name or "")
            sheet.write_string(r, 2, row.description)
            if split and row.time_class is not None:
                sheet.write_string(r, 8, TIME_CLASSES[row.time_class])
            sheet.write_number(r, 3, _number(f.net), money)
            sheet.write_number(r, 4, _number(row.vat_rate))
            sheet.write_number(r, 5, _number(f.vat), money)
            sheet.write_number(r, 6, _number(f.other_tax), money)
            sheet.write_number(r, 7, _number(f.total), money)
            r += 1
    t = document.totals
    sheet.write_string(r, 2, "Итого по счёту", bold)
    for column, amount in ((3, t.net), (5, t.vat), (6, t.other_tax), (7, t.total)):
        sheet.write_number(r, column, _number(amount), money_bold)
    if split:
        _split_sheet(book, document, bold, money)
    book.close()
    return out.getvalue()


def _split_sheet(book: xlsxwriter.Workbook, document: InvoiceDocument, bold: object, money: object) -> None:
    sheet = book.add_worksheet("Разбивка")
    sheet.set_column(0, 2, 26)
    sheet.set_column(3, 7, 14)
    sheet.write_string(0, 0, f"{document.title}: детализация по времени", bold)
    for column, title in enumerate(("Абонент", "Имя абонента", "Время", "Строк", "Сумма", "Сумма НДС",
                                    "Налог на услуги", "Всего с учетом налогов")):
        sheet.write_string(2, column, title, bold)
    for r, split in enumerate(time_split(document), start=3):
        sheet.write_string(r, 0, split.identifier or "")
        sheet.write_string(r, 1, split.name or "")
        sheet.write_string(r, 2, split.title)
        sheet.write_number(r, 3, split.rows)
        f = split.figures
        for column, amount in ((4, f.net), (5, f.vat), (6, f.other_tax), (7, f.total)):
            sheet.write_number(r, column, _number(amount), money)
