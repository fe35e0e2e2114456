"""The overdue rule of postpaid invoices (seed 004 2.2): unpaid after the due date, payments counted
oldest invoice first, unless a guarantee naming the invoice, not past its date, covers what is unpaid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.invoicing.domain.overdue import DueInvoice, Guarantee, overdue

OCT = DueInvoice("inv-3003-2026-10", "INV-2026-000010", date(2026, 10, 1), Decimal("300.0839"), date(2026, 11, 10))
NOV = DueInvoice("inv-3003-2026-11", "INV-2026-000020", date(2026, 11, 1), Decimal("120.0000"), date(2026, 12, 10))


def test_an_invoice_is_overdue_only_after_its_due_date_and_for_what_is_left_unpaid() -> None:
    assert overdue([OCT], Decimal(0), [], date(2026, 11, 10)) == []  # the due date itself is still in time
    assert overdue([OCT], Decimal(0), [], date(2026, 11, 11)) == [(OCT, Decimal("300.08"))]
    assert overdue([OCT], Decimal("300.08"), [], date(2026, 11, 11)) == []  # paid to the kopeck
    assert overdue([OCT], Decimal("100.00"), [], date(2026, 11, 11)) == [(OCT, Decimal("200.08"))]


def test_payments_pay_the_oldest_invoice_first() -> None:
    assert overdue([NOV, OCT], Decimal("350.00"), [], date(2026, 12, 11)) == [(NOV, Decimal("70.08"))]
    assert overdue([NOV, OCT], Decimal("250.00"), [], date(2026, 12, 11)) == [
        (OCT, Decimal("50.08")), (NOV, Decimal("120.00"))]


def test_a_guarantee_naming_the_invoice_covers_it_until_its_date_if_it_promises_enough() -> None:
    by_number = Guarantee(Decimal("300.08"), date(2026, 11, 20), "INV-2026-000010")
    assert overdue([OCT], Decimal(0), [by_number], date(2026, 11, 15)) == []
    assert overdue([OCT], Decimal(0), [by_number], date(2026, 11, 21)) == [(OCT, Decimal("300.08"))]  # expired
    too_little = Guarantee(Decimal("100.00"), date(2026, 11, 20), "inv-3003-2026-10")
    assert overdue([OCT], Decimal(0), [too_little], date(2026, 11, 15)) == [(OCT, Decimal("300.08"))]
    assert overdue([OCT], Decimal("200.08"), [too_little], date(2026, 11, 15)) == []  # covers what is left
    other_invoice = Guarantee(Decimal("1000.00"), date(2026, 11, 20), "INV-2026-000099")
    assert overdue([OCT], Decimal(0), [other_invoice], date(2026, 11, 15)) == [(OCT, Decimal("300.08"))]
