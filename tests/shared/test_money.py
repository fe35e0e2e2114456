import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.money import (
    AMOUNT_PATTERN,
    BALANCE_PATTERN,
    from_line_units,
    line_units,
    parse_amount,
    parse_balance,
    round_line,
    round_money,
    vat_from_gross,
    vat_from_net,
)


def test_half_up_rounding_to_two_decimals() -> None:
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("2.675")) == Decimal("2.68")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")


def test_a_figure_that_rounds_to_zero_shows_as_zero_never_minus_zero() -> None:
    assert str(round_money(Decimal("-0.0045"))) == "0.00"
    assert str(round_money(Decimal("-0"))) == "0.00"


def test_vat_split_from_net_matches_the_seed_line() -> None:
    # seed 004: net 77.008, VAT 25 % 19.252, total 96.26
    line = vat_from_net(Decimal("77.008"), Decimal("25"))
    assert (line.net, line.vat, line.gross, line.total) == (
        Decimal("77.0080"), Decimal("19.2520"), Decimal("96.2600"), Decimal("96.26"))


def test_vat_split_from_gross_keeps_the_gross() -> None:
    line = vat_from_gross(Decimal("47.45"), Decimal("25"))
    assert line.net == Decimal("37.9600")
    assert line.net + line.vat == line.gross == Decimal("47.4500")


@pytest.mark.parametrize("value", ["150.00", "150", "7.5", "0.01", "1000000000.00", Decimal("0.01")])
def test_plain_decimal_amounts_are_accepted(value: object) -> None:
    assert parse_amount(value) > 0


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0", "positive"), ("1000000000.01", "maximum"), ("1.001", "plain decimal"), ("-1.00", "plain decimal"),
        ("NaN", "plain decimal"), ("Infinity", "plain decimal"), ("1e30", "plain decimal"), (1.5, "decimal string"),
        (True, "decimal string"), (150, "decimal string"), ("abc", "plain decimal"), (None, "decimal string"),
        ([1], "decimal string"), (Decimal("NaN"), "finite"),
        # Seen accepted before (issue 10): exponent, sign, spaces, other digits, separators.
        ("1e2", "plain decimal"), ("1E-2", "plain decimal"), ("+1.00", "plain decimal"), (" 1.00", "plain decimal"),
        ("1.00 ", "plain decimal"), ("١٠٠", "plain decimal"), ("1_000.00", "plain decimal"), ("1,00", "plain decimal"),
        (".5", "plain decimal"), ("5.", "plain decimal"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(value)


_TEXT = st.one_of(
    st.from_regex(r"\A-?[0-9]{1,11}(\.[0-9]{0,3})?\Z"),
    st.sampled_from(["0", "0.0", "0.00", "1000000000", "1000000000.00", "1000000000.01", "0999999999.99",
                     "9999999999", "00000000001", "1e2", "+1.00", " 1.00", "1_000.00", "١٠٠"]),
    st.text(max_size=14),
)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_the_published_amount_pattern_is_exactly_what_the_parser_takes(value: str) -> None:
    """The schemas state AMOUNT_PATTERN (and BALANCE_PATTERN): a client that follows them is never
    refused, and nothing outside them is taken."""
    try:
        parse_amount(value)
        taken = True
    except ValueError:
        taken = False
    assert taken == bool(re.fullmatch(AMOUNT_PATTERN, value))
    try:
        parse_balance(value)
        taken = True
    except ValueError:
        taken = False
    assert taken == bool(re.fullmatch(BALANCE_PATTERN, value))


@settings(max_examples=300)
@given(st.lists(st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), allow_nan=False,
                            places=6), min_size=1, max_size=20))
def test_line_figures_summed_in_units_are_the_decimal_sum_of_the_rounded_figures(values: list[Decimal]) -> None:
    for value in values:
        assert from_line_units(line_units(value)) == round_line(value)
        assert from_line_units(line_units(value)).as_tuple().exponent in (0, -4)
    assert from_line_units(sum(line_units(v) for v in values)) == sum(round_line(v) for v in values)


def test_a_figure_from_units_has_four_decimals_and_zero_is_plain_zero() -> None:
    assert str(from_line_units(1200)) == "0.1200"
    assert str(from_line_units(-5)) == "-0.0005"
    assert str(from_line_units(123456789)) == "12345.6789"
    assert str(from_line_units(0)) == "0"
    assert line_units(Decimal("0.00005")) == 1  # half-up, as round_line
