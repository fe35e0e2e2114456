"""The one funds formula (shared/funds.py), the cases every service relies on: accounts' financial
block, payments' autopay and offer, notifications' reminder and the gateway's balance read it."""

from __future__ import annotations

from decimal import Decimal
from functools import reduce
from typing import Any

import pytest

from shared.funds import Funds, movement


def funds_after(opening: str, *events: tuple[str, str, dict[str, Any]]) -> Funds:
    moves = [movement(service, kind, payload) for service, kind, payload in events]
    return reduce(lambda total, move: total + move if move else total, moves, Funds(opening_balance=Decimal(opening)))


def paid(amount: str) -> tuple[str, str, dict[str, Any]]:
    return ("payments", "PaymentRegistered", {"account_id": "1015", "amount": amount})


def charge(total: str) -> tuple[str, str, dict[str, Any]]:
    return ("invoicing", "ChargePosted", {"account_id": "1015", "charge_id": f"c-{total}", "total": total})


def test_the_opening_balance_alone_is_what_is_available_and_may_be_negative() -> None:
    assert Funds().available == Decimal("0.00")
    assert funds_after("-120.00").available == Decimal("-120.00")


def test_payments_add_and_reversals_take_away() -> None:
    reversed_ = ("payments", "PaymentReversed", {"account_id": "1015", "amount": "50.00"})
    assert funds_after("-120.00", paid("100.00"), paid("50.00"), reversed_).available == Decimal("-20.00")


def test_promised_credit_counts_while_outstanding_and_a_repaying_payment_does_not_count_twice() -> None:
    taken = ("payments", "PromisedPaymentTaken", {"account_id": "1015", "amount": "30.00"})
    repaid = ("payments", "PromisedPaymentRepaid", {"account_id": "1015", "amount": "30.00"})
    assert funds_after("0.00", taken).available == Decimal("30.00")
    assert funds_after("0.00", taken, paid("30.00"), repaid).available == Decimal("30.00")  # not 60
    part = ("payments", "PromisedPaymentRepaid", {"account_id": "1015", "amount": "10.00"})
    expired = ("payments", "PromisedPaymentExpired", {"account_id": "1015", "withdrawn": "20.00"})
    assert funds_after("0.00", taken, paid("10.00"), part, expired).available == Decimal("10.00")


def test_charges_lower_the_funds_and_a_credit_line_raises_them() -> None:
    seed_lines = ["96.26", "70.8445", "57.8584", "75.121", "0.00"]  # seed 004, May 2021: 300.0839
    funds = funds_after("0.00", paid("300.00"), *(charge(total) for total in seed_lines))
    assert funds.charged == Decimal("300.0839") and funds.charged_total == Decimal("300.08")
    assert funds.available == Decimal("-0.08")
    assert funds_after("0.00", charge("25.00"), charge("-10.0000")).available == Decimal("-15.00")


def test_the_sums_are_rounded_once_at_the_end_never_line_by_line() -> None:
    funds = funds_after("0.00", paid("1.00"), charge("0.0050"), charge("0.0050"), charge("0.0050"))
    assert funds.charged == Decimal("0.0150")
    assert funds.available == Decimal("0.99")  # 1 - 0.015 = 0.985, half-up; line by line it would be 0.97


def test_zero_is_not_below_zero() -> None:
    assert funds_after("-25.00", paid("25.00")).available == Decimal("0.00")
    assert funds_after("0.00", paid("25.00"), charge("25.0049")).available == Decimal("0.00")  # -0.0049 rounds to 0
    assert funds_after("0.00", paid("25.00"), charge("25.0050")).available == Decimal("-0.01")


@pytest.mark.parametrize(("service", "kind"), [
    ("accounts", "AccountOpened"), ("payments", "TopUpStarted"), ("payments", "AutopayCharged"),
    ("invoicing", "FeesForecast"), ("invoicing", "InvoiceIssued"), ("accounts", "ChargePosted"),
])
def test_events_that_move_no_money_move_nothing(service: str, kind: str) -> None:
    assert movement(service, kind, {"account_id": "1015", "amount": "5.00", "total": "5.00"}) is None


def test_the_cloudevents_source_names_the_publisher_as_well() -> None:
    assert movement("/billing/payments", "PaymentRegistered", {"amount": "5.00"}) == Funds(credited=Decimal("5.00"))
    assert movement("/billing/invoicing", "ChargePosted", {"total": "1.2345"}) == Funds(charged=Decimal("1.2345"))
