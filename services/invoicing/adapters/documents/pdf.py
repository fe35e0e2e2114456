"""An invoice as PDF (ReportLab): A4, DejaVu Sans embedded (subset) for the Cyrillic text, the
header, a table per subscriber with the seed's columns, the account's totals."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.invoicing.domain.document import InvoiceDocument, money_text

__all__ = ["render_pdf"]

FONTS = Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))

HEADER = ("Услуга", "Сумма", "Ставка НДС", "Сумма НДС", "Налог на услуги", "Всего с учетом налогов")
WIDTHS = (62 * mm, 22 * mm, 16 * mm, 22 * mm, 20 * mm, 28 * mm)
_TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16)
_TEXT = ParagraphStyle("text", fontName=REGULAR, fontSize=9, leading=12)
_CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=8, leading=10)
_HEAD = ParagraphStyle("head", fontName=BOLD, fontSize=7.5, leading=9)
_TABLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 0), (-1, -1), 8),
    ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ("FONTNAME", (0, -1), (-1, -1), BOLD),
])


def render_pdf(document: InvoiceDocument) -> bytes:
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=document.title, author="billing", invariant=True)
    story: list[object] = [
        Paragraph(document.title, _TITLE), Spacer(1, 3 * mm),
        Paragraph(f"Лицевой счёт: {document.account_id}", _TEXT),
        Paragraph(f"Форма оплаты: {document.payment_form_text}", _TEXT),
        Paragraph(f"Дата выставления: {document.issued_on:%d.%m.%Y}", _TEXT),
        Paragraph(f"Оплатить до: {document.due_on:%d.%m.%Y}", _TEXT), Spacer(1, 5 * mm),
    ]
    for subscriber in document.subscribers:
        who = " — ".join(x for x in (subscriber.identifier, subscriber.name) if x)
        story += [Paragraph(f"Абонент: {who}", _TEXT), Spacer(1, 1.5 * mm)]
        rows: list[list[object]] = [[Paragraph(h, _HEAD) for h in HEADER]]
        for row in subscriber.rows:
            f = row.figures
            rows.append([Paragraph(row.description, _CELL), money_text(f.net), f"{row.vat_rate.normalize():f}%",
                         money_text(f.vat), money_text(f.other_tax), money_text(f.total)])
        t = subscriber.totals
        rows.append(["Итого начислений по абоненту", money_text(t.net), "", money_text(t.vat), money_text(t.other_tax),
                     money_text(t.total)])
        story += [Table(rows, colWidths=WIDTHS, repeatRows=1, style=_TABLE), Spacer(1, 5 * mm)]
    t = document.totals
    story.append(Paragraph(
        f"Итого по счёту: сумма {money_text(t.net)}, НДС {money_text(t.vat)}, налог на услуги "
        f"{money_text(t.other_tax)}, всего с учетом налогов <b>{money_text(t.total)}</b> руб.", _TEXT))
    pdf.build(story)
    return out.getvalue()
