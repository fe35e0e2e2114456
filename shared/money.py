"""Money is Decimal. Every rounding in the system goes through `round_money` or `round_line`.

Ledger amounts have 2 decimals; charge lines are computed with 4 decimals (seed 004 shows
net 77.008, VAT 25 % 19.252, total 96.26). Rounding is half-up, as in accounting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "LEDGER_EXPONENT",
    "LINE_EXPONENT",
    "MAX_AMOUNT",
    "VatSplit",
    "parse_amount",
    "round_line",
    "round_money",
    "vat_from_gross",
    "vat_from_net",
]

LEDGER_EXPONENT = Decimal("0.01")
LINE_EXPONENT = Decimal("0.0001")
#: Larger than any real single payment or charge; protects against typos and overflow.
MAX_AMOUNT = Decimal("1000000000.00")


def round_money(value: Decimal) -> Decimal:
    """Round to the ledger's 2 decimals, half-up."""
    return value.quantize(LEDGER_EXPONENT, rounding=ROUND_HALF_UP)


def round_line(value: Decimal) -> Decimal:
    """Round a charge-line figure to 4 decimals, half-up."""
    return value.quantize(LINE_EXPONENT, rounding=ROUND_HALF_UP)


def parse_amount(value: object, *, allow_zero: bool = False) -> Decimal:
    """Turn untrusted input into a ledger amount or raise ValueError saying why.

    Accepts Decimal, int and decimal strings; refuses floats (binary fractions are not money),
    NaN/Infinity, more than 2 decimals, non-positive values (unless allowed) and absurd sizes.
    """
    if isinstance(value, (bool, float)):
        raise ValueError("amount must be a decimal string or an integer, not a float")
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"amount {value!r} is not a number") from None
    else:
        raise ValueError("amount must be a decimal string or an integer")
    if not amount.is_finite():
        raise ValueError("amount must be a finite number")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError("amount must be positive")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount exceeds the maximum of {MAX_AMOUNT}")
    if amount != amount.quantize(LEDGER_EXPONENT, rounding=ROUND_HALF_UP):
        raise ValueError("amount has more than 2 decimals")
    return round_money(amount)


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
