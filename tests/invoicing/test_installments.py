"""Equipment installments against the real schema (issue 11 item 2, INVOICING.md I-6): registered by
the office, the current month's payment at once, later months' with their other charges (the day
timer's posting and the bill run), an early payoff, «Информация по рассрочке» per account and per
subscriber. Refusals record nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.installments import (
    account_installments,
    pay_off_installment,
    register_installment,
)
from services.invoicing.application.posting import post_due_charges
from shared.clock import FakeClock
from shared.errors import DomainError
from shared.eventstore import Metadata
from tests.invoicing.conftest import stream
from tests.invoicing.factories import at, feed_facts, opened_isp_account

OFFICE = Metadata(correlation_id="t", actor="operator:o1")


async def _register(invoicing: Invoicing, total: str = "100.00", payments: int = 3, first: str = "2026-11-01",
                    line_id: str | None = "inet-1015", key: str | None = "k-1") -> str:
    result = await register_installment(invoicing, "1015", line_id=line_id, description="Роутер",
                                        total=Decimal(total), payments=payments, first_month=date.fromisoformat(first),
                                        metadata=OFFICE, key=key)
    return str(result.body["installment_id"])


async def _installment_lines(invoicing: Invoicing) -> list[tuple[str, str, str]]:
    rows = await invoicing.pool.fetch("SELECT charge_id, description, total FROM charge_lines"
                                      " WHERE kind = 'installment' ORDER BY period, charge_id")
    return [(r["charge_id"].split("/", 1)[0], r["description"], f"{r['total']:.2f}") for r in rows]


async def test_monthly_payments_are_charged_with_each_month_and_add_up_to_the_total(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    installment_id = await _register(invoicing)
    assert await _register(invoicing) == installment_id  # the same key: one installment
    assert await _installment_lines(invoicing) == [("2026-11", "Рассрочка: Роутер, платёж 1 из 3", "33.33")]

    for moment, period in [("2026-12-01", date(2026, 11, 1)), ("2027-01-01", date(2026, 12, 1))]:
        clock.set(at(moment, 2))
        async with invoicing.pool.acquire() as conn, conn.transaction():
            await invoice_account(invoicing, conn, "1015", period, clock.now(), OFFICE)  # the bill run
            await post_due_charges(invoicing, conn, "1015", clock.now())  # the 1st's posting
            await post_due_charges(invoicing, conn, "1015", clock.now())  # again: nothing new
    assert await _installment_lines(invoicing) == [
        ("2026-11", "Рассрочка: Роутер, платёж 1 из 3", "33.33"),
        ("2026-12", "Рассрочка: Роутер, платёж 2 из 3", "33.33"),
        ("2027-01", "Рассрочка: Роутер, платёж 3 из 3", "33.34"),
    ]
    invoice = await invoicing.pool.fetchval("SELECT total FROM invoices WHERE period = '2026-12-01'")
    december = await invoicing.pool.fetchval("SELECT sum(total) FROM charge_lines WHERE period = '2026-12-01'")
    assert invoice == december  # the payment is on December's invoice with the month's other charges
    shown = await account_installments(invoicing, "1015")
    [info] = shown["installments"]
    assert {k: info[k] for k in ("payments_left", "monthly_amount", "last_amount", "paid_so_far", "left_to_pay",
                                 "payoff_date", "paid_off_early", "identifier")} == {
        "payments_left": 0, "monthly_amount": "33.33", "last_amount": "33.34", "paid_so_far": "100.00",
        "left_to_pay": "0.00", "payoff_date": "2027-01-01", "paid_off_early": False, "identifier": "0_1015"}


async def test_an_early_payoff_charges_the_rest_at_once_and_the_page_shows_it(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    installment_id = await _register(invoicing, "360.00", 12)
    before = (await account_installments(invoicing, "1015", "inet-1015"))["installments"][0]
    assert (before["payments_left"], before["paid_so_far"], before["payoff_date"]) == (11, "30.00", "2027-10-01")
    clock.set(at("2026-11-25"))
    paid = await pay_off_installment(invoicing, "1015", installment_id, OFFICE, "payoff-1")
    assert paid.body["amount"] == "330.00"
    with pytest.raises(DomainError) as again:
        await pay_off_installment(invoicing, "1015", installment_id, OFFICE, "payoff-2")
    assert again.value.code == "installment.paid_off"
    after = (await account_installments(invoicing, "1015"))["installments"][0]
    assert (after["payments_left"], after["paid_so_far"], after["left_to_pay"], after["payoff_date"],
            after["paid_off_early"]) == (0, "360.00", "0.00", "2026-11-25", True)
    clock.set(at("2026-12-01", 2))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await post_due_charges(invoicing, conn, "1015", clock.now())
    assert [line[0] for line in await _installment_lines(invoicing)] == ["2026-11", "2026-11"]


async def test_bad_terms_and_unknown_lines_are_refused_and_record_nothing(invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-15")))
    events = await stream(invoicing.pool, "1015")
    for kwargs, code in [({"payments": 0}, "installment.payments_invalid"),
                         ({"total": "0.02", "payments": 3}, "installment.amount_too_small"),
                         ({"first": "2026-09-01"}, "installment.first_month_out_of_range"),
                         ({"line_id": "tv-9"}, "line.not_found")]:
        with pytest.raises(DomainError) as refused:
            await _register(invoicing, **kwargs)  # type: ignore[arg-type]
        assert refused.value.code == code
    with pytest.raises(DomainError) as unknown:
        await pay_off_installment(invoicing, "1015", "00000000-0000-0000-0000-000000000000", OFFICE, None)
    assert unknown.value.code == "installment.not_found"
    assert await stream(invoicing.pool, "1015") == events
    assert await invoicing.pool.fetchval("SELECT count(*) FROM installments") == 0
    assert (await account_installments(invoicing, "1015"))["installments"] == []
