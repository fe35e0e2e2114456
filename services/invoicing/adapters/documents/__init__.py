"""Renderers of an invoice's document (domain/document.py): PDF by ReportLab with DejaVu Sans
embedded (Cyrillic; fonts/ with their licence), XLSX by XlsxWriter in constant-memory mode. Each is
a pure function of the document to its bytes, run by the document worker off the event loop."""

from __future__ import annotations

from collections.abc import Callable

from services.invoicing.adapters.documents.pdf import render_pdf
from services.invoicing.adapters.documents.xlsx import render_xlsx, render_xlsx_split
from services.invoicing.domain.document import InvoiceDocument

__all__ = ["RENDERERS", "render_pdf", "render_xlsx", "render_xlsx_split"]

RENDERERS: dict[str, Callable[[InvoiceDocument], bytes]] = {"pdf": render_pdf, "xlsx": render_xlsx,
                                                           "xlsx_split": render_xlsx_split}
