"""Money is Decimal. Every rounding in the system goes through `round_money` or `round_line`.

Ledger amounts have 2 decimals; charge lines are computed with 4 decimals (seed 004 shows
net 77.008, VAT 25 % 19.252, total 96.26). Rounding is half-up, as in accounting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "AMOUNT_PATTERN",
    "BALANCE_PATTERN",
    "LEDGER_EXPONENT",
    "LINE_EXPONENT",
    "LINE_UNIT",
    "MAX_AMOUNT",
    "VatSplit",
    "from_line_units",
    "line_units",
    "parse_amount",
    "parse_balance",
    "round_line",
    "round_money",
    "split_evenly",
    "vat_from_gross",
    "vat_from_net",
]

LEDGER_EXPONENT = Decimal("0.01")
LINE_EXPONENT = Decimal("0.0001")
#: Larger than any real single payment or charge; protects against typos and overflow.
MAX_AMOUNT = Decimal("1000000000.00")
#: The syntax of an amount from outside: ASCII digits, at most 2 decimals.
_AMOUNT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?", re.ASCII)
#: Exactly the amounts `parse_amount` accepts, as the API schemas state them: that syntax, above
#: zero and at most `MAX_AMOUNT` (a 10-digit whole part only up to 1000000000).
AMOUNT_PATTERN = r"^(?!0+(\.0{1,2})?$)(0?[0-9]{1,9}(\.[0-9]{1,2})?|1000000000(\.00?)?)$"
#: A balance from outside (an account's opening balance): the same syntax with an optional minus,
#: zero included, at most `MAX_AMOUNT` either way.
BALANCE_PATTERN = r"^-?(0?[0-9]{1,9}(\.[0-9]{1,2})?|1000000000(\.00?)?)$"
_BALANCE = re.compile(BALANCE_PATTERN, re.ASCII)


def round_money(value: Decimal) -> Decimal:
    """Round to the ledger's 2 decimals, half-up; a figure that rounds to zero is 0.00, never -0.00
    (a debt of 0.0045 shows as no debt, as it is decided)."""
    rounded = value.quantize(LEDGER_EXPONENT, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded


def round_line(value: Decimal) -> Decimal:
    """Round a charge-line figure to 4 decimals, half-up."""
    return value.quantize(LINE_EXPONENT, rounding=ROUND_HALF_UP)


#: Charge-line figures as whole ten-thousandths (`line_units`): where one figure is computed many
#: times over (rating calls at switch scale), the sums are exact integer sums, and the figure comes
#: back as a Decimal once (`from_line_units`).
LINE_UNIT = 10_000
_FROM_UNITS: dict[int, Decimal] = {}


def line_units(value: Decimal) -> int:
    """`value` rounded as a charge line (`round_line`), in whole ten-thousandths."""
    return int(round_line(value).scaleb(4))


def from_line_units(units: int) -> Decimal:
    """The charge-line figure of `units` ten-thousandths (4 decimals; zero as `Decimal(0)`). The
    figures met are kept (a call's price takes a few thousand values), so this is a dict look-up."""
    found = _FROM_UNITS.get(units)
    if found is None:
        if len(_FROM_UNITS) > 100_000:
            _FROM_UNITS.clear()
        found = _FROM_UNITS[units] = Decimal(units).scaleb(-4) if units else Decimal(0)
    return found


def parse_amount(value: object, *, allow_zero: bool = False) -> Decimal:
    """Turn untrusted input into a ledger amount or raise ValueError saying why.

    The one parser of amounts from outside: a plain ASCII decimal string, digits with at most two
    decimals (`AMOUNT_PATTERN`, e.g. "150.00"); no sign, exponent, spaces, separators or other
    digits, and no JSON numbers (a float is a binary fraction, not money). A Decimal passes as is
    (our own code). Then: positive (or zero if allowed) and at most `MAX_AMOUNT`.
    """
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        if not _AMOUNT.fullmatch(value):
            raise ValueError(f'amount {value[:40]!r} is not a plain decimal like "150.00"'
                             " (ASCII digits, at most 2 decimals)")
        amount = Decimal(value)
    else:
        raise ValueError('amount must be a decimal string like "150.00"')
    if not amount.is_finite():
        raise ValueError("amount must be a finite number")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError("amount must be positive")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount exceeds the maximum of {MAX_AMOUNT}")
    if amount != amount.quantize(LEDGER_EXPONENT, rounding=ROUND_HALF_UP):
        raise ValueError("amount has more than 2 decimals")
    return round_money(amount)


def parse_balance(value: object) -> Decimal:
    """A signed ledger figure from outside (`BALANCE_PATTERN`), or ValueError."""
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise ValueError('a balance is a decimal string like "-120.00"')
    if not _BALANCE.fullmatch(text):
        raise ValueError(f'balance {text[:40]!r} is not a plain decimal like "-120.00" (at most 2 decimals,'
                         f" at most {MAX_AMOUNT} either way)")
    return round_money(Decimal(text))


@dataclass(frozen=True, slots=True)
class VatSplit:
    """One charge line: net, VAT and gross at 4 decimals, and the gross at 2 for the ledger."""

    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    gross: Decimal

    @property
    def total(self) -> Decimal:
        return round_money(self.gross)


def vat_from_net(net: Decimal, rate_percent: Decimal) -> VatSplit:
    net4 = round_line(net)
    vat = round_line(net4 * rate_percent / 100)
    return VatSplit(net=net4, vat_rate=rate_percent, vat=vat, gross=net4 + vat)


def vat_from_gross(gross: Decimal, rate_percent: Decimal) -> VatSplit:
    gross4 = round_line(gross)
    net = round_line(gross4 * 100 / (100 + rate_percent))
    return VatSplit(net=net, vat_rate=rate_percent, vat=gross4 - net, gross=gross4)


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` ledger amounts: each the total / parts rounded half-up, the last one
    absorbing the rounding remainder, so they add up to the total exactly (100.00 in 3: 33.33,
    33.33, 33.34; 200.00 in 3: 66.67, 66.67, 66.66)."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    each = round_money(total / parts)
    return [each] * (parts - 1) + [total - each * (parts - 1)]
