"""The report of payments and charges (domain/report.py) as PDF (ReportLab, DejaVu Sans embedded as
the invoices') and XLSX (XlsxWriter, constant-memory mode): payments, then charges, each with its
sum. Pure functions of the report to its bytes, run by the document worker off the event loop."""

from __future__ import annotations

import io

import xlsxwriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from services.invoicing.adapters.documents.pdf import _HEAD, _TABLE, _TEXT, _TITLE
from services.invoicing.domain.document import money_text
from services.invoicing.domain.report import PaymentsAndCharges

__all__ = ["REPORT_RENDERERS", "render_report_pdf", "render_report_xlsx"]


def render_report_pdf(report: PaymentsAndCharges) -> bytes:
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=report.title, author="billing", invariant=True)
    payments: list[list[object]] = [[Paragraph(h, _HEAD) for h in ("Дата", "Способ", "Сумма, руб.")]]
    payments += [[f"{p.paid_on:%d.%m.%Y}", p.method_text + (" (отменён)" if p.reversed else ""), f"{p.amount:.2f}"]
                 for p in report.payments]
    payments.append(["Итого платежей", "", f"{report.paid:.2f}"])
    charges: list[list[object]] = [[Paragraph(h, _HEAD) for h in ("Дата", "Период", "Списание", "Сумма, руб.")]]
    charges += [[f"{c.posted_on:%d.%m.%Y}", f"{c.period:%m.%Y}", Paragraph(c.description, _TEXT),
                 money_text(c.total)] for c in report.charges]
    charges.append(["Итого списаний", "", "", f"{report.charged:.2f}"])
    story: list[object] = [
        Paragraph(report.title, _TITLE), Spacer(1, 3 * mm),
        Paragraph(f"Сформирован: {report.made_on:%d.%m.%Y}", _TEXT), Spacer(1, 4 * mm),
        Paragraph("Платежи", _TEXT), Spacer(1, 1.5 * mm),
        Table(payments, colWidths=(30 * mm, 90 * mm, 50 * mm), repeatRows=1, style=_TABLE), Spacer(1, 5 * mm),
        Paragraph("Списания", _TEXT), Spacer(1, 1.5 * mm),
        Table(charges, colWidths=(25 * mm, 20 * mm, 95 * mm, 30 * mm), repeatRows=1, style=_TABLE),
    ]
    pdf.build(story)
    return out.getvalue()


def render_report_xlsx(report: PaymentsAndCharges) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    book.set_properties({"title": report.title, "author": "billing"})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    line = book.add_format({"num_format": "0.0000"})
    payments = book.add_worksheet("Платежи")
    payments.set_column(0, 1, 22)
    payments.write_string(0, 0, report.title, bold)
    for column, title in enumerate(("Дата", "Способ", "Сумма, руб.", "Отменён")):
        payments.write_string(2, column, title, bold)
    r = 3
    for p in report.payments:
        payments.write_string(r, 0, f"{p.paid_on:%d.%m.%Y}")
        payments.write_string(r, 1, p.method_text)
        payments.write_number(r, 2, float(p.amount), money)
        payments.write_string(r, 3, "да" if p.reversed else "")
        r += 1
    payments.write_string(r, 1, "Итого платежей", bold)
    payments.write_number(r, 2, float(report.paid), money)
    charges = book.add_worksheet("Списания")
    charges.set_column(2, 2, 50)
    for column, title in enumerate(("Дата", "Период", "Списание", "Сумма, руб.")):
        charges.write_string(0, column, title, bold)
    r = 1
    for c in report.charges:
        charges.write_string(r, 0, f"{c.posted_on:%d.%m.%Y}")
        charges.write_string(r, 1, f"{c.period:%m.%Y}")
        charges.write_string(r, 2, c.description)
        charges.write_number(r, 3, float(c.total), line)
        r += 1
    charges.write_string(r, 2, "Итого списаний", bold)
    charges.write_number(r, 3, float(report.charged), money)
    book.close()
    return out.getvalue()


REPORT_RENDERERS = {"pdf": render_report_pdf, "xlsx": render_report_xlsx}
