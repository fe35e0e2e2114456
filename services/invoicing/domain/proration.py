"""How a monthly price becomes the figures of a charge line: the one place days are prorated.

Prices keep the form the catalogue gives them: accounts' events carry the gross monthly fee (2
decimals) and the VAT rate, and the net is derived from the gross (shared.money.vat_from_gross), as
seed 004 needs (66.43 gross -> 53.144 net; a net-first price would break the channel packages by a
kopeck, ../shared/EXTRAS.md). A part of a month is the net times days / days-in-month at 4 decimals,
half-up (shared.money.round_line), and the VAT is taken from that prorated net.

Figures are *cumulative*: the lines posted for one price in one period always add up to the figures
of all the days they cover together, `amounts(price, days)`. A line adding days n+1..m is
`amounts(m) - amounts(n)`, a credit taking days back is the difference the other way. So a month
charged day by day, or in advance and then partly credited, comes to exactly what one line for the
same days would show (seed 004's "План SIP-соединение 27" whichever way it was charged)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.money import round_line, vat_from_gross, vat_from_net

__all__ = ["Figures", "Price", "amounts", "monthly_net"]

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True, order=True)
class Price:
    """A monthly price as the catalogue gave it: gross, 2 decimals, with its VAT rate (percent).
    `whole`: charged in full for any day of the month (a minute bundle), never prorated."""

    monthly_fee: Decimal
    vat_rate: Decimal
    whole: bool = False


@dataclass(frozen=True, slots=True)
class Figures:
    net: Decimal
    vat: Decimal
    other_tax: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.net + self.vat + self.other_tax

    def __sub__(self, other: Figures) -> Figures:
        return Figures(self.net - other.net, self.vat - other.vat, self.other_tax - other.other_tax)

    @property
    def is_zero(self) -> bool:
        return self.net == 0 and self.vat == 0 and self.other_tax == 0


def monthly_net(price: Price) -> Decimal:
    """The month's net, derived from the gross (4 decimals)."""
    return vat_from_gross(price.monthly_fee, price.vat_rate).net


def amounts(price: Price, days: int, days_in_month: int) -> Figures:
    """The figures of `days` days of the month at `price`: net = monthly net x days / days-in-month
    at 4 decimals half-up (the whole net for a `whole` price), VAT from that net."""
    if days <= 0:
        return Figures(ZERO, ZERO)
    month = monthly_net(price)
    net = month if price.whole or days >= days_in_month else round_line(month * days / days_in_month)
    split = vat_from_net(net, price.vat_rate)
    return Figures(split.net, split.vat)
