"""The charges page of a period (seed 004, «Начисления за май 2021»): per subscriber line, one row per
item and price with the days it covers, summing the lines posted for it (charges and credits), then
the subscriber's total («Итого начислений по абоненту»); usage rows as rated.

Because posted figures are cumulative (domain/proration.py), a row equals one line for its days:
"План SIP-соединение 27" reads the same whether it was charged in advance, day by day, or charged
for the month and partly credited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.invoicing.domain.proration import ZERO, Figures

__all__ = ["PageRow", "PostedLine", "SubscriberCharges", "charges_page"]


@dataclass(frozen=True, slots=True)
class PostedLine:
    """A posted charge as the page needs it (the read model's row)."""

    line_id: str | None
    item: str
    kind: str
    label: str
    whole: bool
    monthly_fee: Decimal | None
    vat_rate: Decimal
    from_day: date
    to_day: date
    quantity: str | None
    net: Decimal
    vat: Decimal
    other_tax: Decimal

    @property
    def days(self) -> int:
        sign = -1 if self.kind == "credit" else 1
        return sign * ((self.to_day - self.from_day).days + 1)


@dataclass(slots=True)
class PageRow:
    item: str
    kind: str
    label: str
    description: str
    quantity: str | None
    vat_rate: Decimal
    days: int
    figures: Figures


@dataclass(slots=True)
class SubscriberCharges:
    line_id: str | None
    rows: list[PageRow] = field(default_factory=list)

    @property
    def totals(self) -> Figures:
        net = sum((r.figures.net for r in self.rows), ZERO)
        vat = sum((r.figures.vat for r in self.rows), ZERO)
        other = sum((r.figures.other_tax for r in self.rows), ZERO)
        return Figures(net, vat, other)


def charges_page(lines: Iterable[PostedLine], days_in_period: int) -> list[SubscriberCharges]:
    """Subscribers in order of their line ids (the whole account's charges, line None, last); rows
    of fees by their label, usage after them."""
    groups: dict[tuple[str | None, str, Decimal | None, Decimal, str | None], list[PostedLine]] = {}
    for line in lines:
        quantity_key = line.quantity if line.monthly_fee is None else None
        groups.setdefault((line.line_id, line.item, line.monthly_fee, line.vat_rate, quantity_key), []).append(line)
    subscribers: dict[str | None, SubscriberCharges] = {}
    for (line_id, item, monthly_fee, vat_rate, quantity), posted in groups.items():
        first = next((p for p in posted if p.kind != "credit"), posted[0])
        days = sum(p.days for p in posted)
        figures = Figures(sum((p.net for p in posted), ZERO), sum((p.vat for p in posted), ZERO),
                          sum((p.other_tax for p in posted), ZERO))
        if monthly_fee is not None and days <= 0 and figures.is_zero:
            continue  # charged and wholly credited: nothing to show
        prorated = monthly_fee is not None and not first.whole and 0 < days < days_in_period
        description = f"{first.label} {days}" if prorated else first.label
        if quantity:
            description = f"{first.label} {quantity}"
        row = PageRow(item, first.kind, first.label, description, quantity, vat_rate, max(days, 0), figures)
        subscribers.setdefault(line_id, SubscriberCharges(line_id)).rows.append(row)
    for subscriber in subscribers.values():
        subscriber.rows.sort(key=lambda r: (r.quantity is not None, r.label, r.item))
    return sorted(subscribers.values(), key=lambda s: (s.line_id is None, s.line_id or ""))
