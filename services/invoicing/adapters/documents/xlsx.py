"""An invoice as XLSX (XlsxWriter, constant-memory mode: each row goes to disk as written, so a
document of 100,000 rows needs no more memory than one of ten). One sheet: the header, then every
row with its subscriber, the seed's columns as numbers with 4 decimals, the totals."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from services.invoicing.domain.document import InvoiceDocument

__all__ = ["render_xlsx"]

HEADER = ("Абонент", "Имя абонента", "Услуга", "Сумма", "Ставка НДС, %", "Сумма НДС", "Налог на услуги",
          "Всего с учетом налогов")


def _number(amount: Decimal) -> float:
    """A cell's value: spreadsheets keep numbers as doubles; 4 decimals below 10^11 survive exactly."""
    return float(amount)


def render_xlsx(document: InvoiceDocument) -> bytes:
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
    for column, title in enumerate(HEADER):
        sheet.write_string(6, column, title, bold)
    r = 7
    for subscriber in document.subscribers:
        for row in subscriber.rows:
            f = row.figures
            sheet.write_string(r, 0, subscriber.identifier or "")
            sheet.write_string(r, 1, subscriber.name or "")
            sheet.write_string(r, 2, row.description)
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
    book.close()
    return out.getvalue()
