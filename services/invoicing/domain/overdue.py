"""When a regular invoice of a postpaid account is overdue (seed 004 2.2, ../shared/INVOICING.md
I-7): unpaid after its due date, unless a payment guarantee covers it. Pure.

Payments are counted oldest invoice first: an invoice is paid when the money received on the
account reaches the totals of every invoice up to it (each rounded to kopecks). A guarantee covers
an invoice when it names it (`invoice_ref`: its id or number), is not past its `pay_by`, and
promises at least what is unpaid."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.money import round_money

__all__ = ["DueInvoice", "Guarantee", "overdue"]


@dataclass(frozen=True, slots=True)
class DueInvoice:
    invoice_id: str
    number: str
    period: date
    total: Decimal
    due_on: date


@dataclass(frozen=True, slots=True)
class Guarantee:
    amount: Decimal
    pay_by: date
    invoice_ref: str | None


def overdue(invoices: Sequence[DueInvoice], paid: Decimal, guarantees: Iterable[Guarantee],
            today: date) -> list[tuple[DueInvoice, Decimal]]:
    """The invoices (oldest first) overdue on `today`, each with what is unpaid of it."""
    found = []
    left = paid
    promises = list(guarantees)
    for invoice in sorted(invoices, key=lambda i: i.period):
        total = round_money(invoice.total)
        covered = min(max(left, Decimal(0)), total)
        left -= total
        unpaid = total - covered
        if unpaid <= 0 or today <= invoice.due_on:
            continue
        if any(g.invoice_ref in (invoice.invoice_id, invoice.number) and g.pay_by >= today and g.amount >= unpaid
               for g in promises):
            continue
        found.append((invoice, unpaid))
    return found
