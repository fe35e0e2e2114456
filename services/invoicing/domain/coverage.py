"""Which days of a period each fee of an account should be charged for, as known now.

For every item (a line's tariff `line:<line>`, an add-on `add-on:<line>:<service>`, a block's own
fee `block:<block>`) and every price it had in the period, the set of days to charge:

- a line's days are those it was in service (opened, not yet closed, the line added) at the
  tariff in force that day; a day of a voluntary block is charged at the tariff's reduced fee
  (rules) or not at all, and its add-ons are not charged;
- `in_advance` tariffs are charged for the whole period as soon as it starts (unknown changes
  later become credits and new charges), `daily` ones up to the business date;
- a block's own fee (`BlockScheduled.fee`) is one charge on its first day, once it began.

Pure: the business date comes in as an argument."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.invoicing.domain.events import ChargeKind
from services.invoicing.domain.plan import AccountPlan, LineFacts, TariffTerm
from services.invoicing.domain.proration import Price
from services.invoicing.domain.rules import ChargingRules
from shared.calendar import add_months

__all__ = ["BLOCK_FEE_LABEL", "Coverage", "FeeKey", "desired", "period_days"]

BLOCK_FEE_LABEL = "Добровольная блокировка"


@dataclass(frozen=True, slots=True, order=True)
class FeeKey:
    """One price of one item: the lines posted under it add up by `proration.amounts`."""

    item: str
    price: Price


@dataclass(slots=True)
class Coverage:
    kind: ChargeKind
    line_id: str | None
    label: str
    days: set[date] = field(default_factory=set)


Mark = Callable[[FeeKey, ChargeKind, "str | None", str, date], None]


def period_days(first: date) -> Iterator[date]:
    day, end = first, add_months(first, 1)
    while day < end:
        yield day
        day += timedelta(days=1)


def desired(plan: AccountPlan, rules: ChargingRules, first: date, today: date,
            *, whole_period: bool = False) -> dict[FeeKey, Coverage]:
    """The days to charge in the period starting `first`, as of the business date `today` (every
    day of it, `whole_period`, for a forecast or a closed period)."""
    wanted: dict[FeeKey, Coverage] = {}
    if first > today and not whole_period:
        return wanted

    def mark(key: FeeKey, kind: ChargeKind, line_id: str | None, label: str, day: date) -> None:
        _coverage(wanted, key, kind, line_id, label).days.add(day)

    # A line's fee is the same day after day: its key and coverage are found once per tariff term
    # (blocked or not), not once per day (the bill run prices 100,000 accounts a minute).
    line_fees: dict[tuple[str, int, bool], Coverage | None] = {}
    may_block = any(not block.cancelled for block in plan.blocks.values())
    for day in period_days(first):
        if not plan.in_service(day):
            continue
        blocked = may_block and plan.blocked(day)
        for line in plan.lines.values():
            term = line.tariff_on(day)
            if term is None or not _due(rules.accrual(term.tariff_id), day, today, whole_period):
                continue
            slot = (line.line_id, id(term), blocked)
            if slot not in line_fees:
                line_fees[slot] = _line_fee(wanted, rules, line, term, blocked)
            coverage = line_fees[slot]
            if coverage is not None:
                coverage.days.add(day)
            if not blocked:
                _add_ons(plan, rules, line, term, day, mark)
    for block in plan.blocks.values():
        starts = block.starts_on
        if (block.cancelled or block.fee <= 0 or not first <= starts < add_months(first, 1)
                or not plan.in_service(starts) or (starts > today and not whole_period)):
            continue
        mark(FeeKey(f"block:{block.block_id}", Price(block.fee, plan.main_vat_rate(), whole=True)),
             "block_fee", None, BLOCK_FEE_LABEL, starts)
    return wanted


def _due(accrual: str, day: date, today: date, whole_period: bool) -> bool:
    return whole_period or accrual == "in_advance" or day <= today


def _coverage(wanted: dict[FeeKey, Coverage], key: FeeKey, kind: ChargeKind, line_id: str | None,
              label: str) -> Coverage:
    found = wanted.get(key)
    if found is None:
        found = wanted[key] = Coverage(kind, line_id, label)
    return found


def _line_fee(wanted: dict[FeeKey, Coverage], rules: ChargingRules, line: LineFacts, term: TariffTerm,
              blocked: bool) -> Coverage | None:
    """Where a day of `line` at `term` is charged: its tariff, its reduced fee during a voluntary block,
    or nowhere (None: a blocked day without a reduced fee)."""
    if not blocked:
        return _coverage(wanted, FeeKey(f"line:{line.line_id}", Price(term.monthly_fee, term.vat_rate)),
                         "subscription", line.line_id, f"План {term.name}")
    reduced = rules.block_fee(term.tariff_id)
    if reduced is None or reduced <= 0:
        return None
    return _coverage(wanted, FeeKey(f"line:{line.line_id}", Price(reduced, term.vat_rate)), "subscription",
                     line.line_id, f"План {term.name} (блокировка)")


def _add_ons(plan: AccountPlan, rules: ChargingRules, line: LineFacts, term: TariffTerm, day: date,
             mark: Mark) -> None:
    for add_on in plan.add_ons:
        if add_on.line_id != line.line_id or day < add_on.from_day:
            continue
        if add_on.until_day is not None and day >= add_on.until_day:
            continue
        price = Price(add_on.monthly_fee, term.vat_rate, whole=rules.charged_whole(add_on.service_id))
        mark(FeeKey(add_on.item, price), "add_on", line.line_id, add_on.name, day)
