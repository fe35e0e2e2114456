"""Rating a call or an SMS by its line's rating plan. Pure: the call's local time, the line's add-ons
and the bundle left come in as arguments.

- **Destinations** by the longest matching prefix of the dialled number (on-net, other networks,
  international); numbers of at most `short_max_digits` digits are short numbers.
- **Increments**: the first `first_s` seconds are billed whole, then every `step_s` seconds begun
  (per-second after the first minute: 60/1; per-minute: 60/60). Each increment's price is rounded to
  4 decimals once (`round_line`), and the call costs increments times that price: the same call always
  costs the same, whatever else is in its batch. The prices are kept as whole ten-thousandths
  (`shared.money.line_units`), so a call's net is an exact integer sum, a Decimal once at the end.
- **Time classes**: `working` (a working day, 9:00-18:00 local), `non_working` (a working day's
  other hours), `weekend` (Saturdays, Sundays and holidays: `shared.calendar.is_day_off`).
- **International** calls only with the add-on the class names (`requires_add_on`), else refused.
- **Minute bundles** (`bundle: true` classes: calls to other networks): the billed seconds come out
  of the bundle first; only what the bundle cannot cover is charged, by whole increments."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from shared.calendar import is_day_off
from shared.money import from_line_units, line_units

__all__ = [
    "ClassTerms",
    "PlanTerms",
    "RatedCall",
    "RatingPlans",
    "RatingRefused",
    "TimeClass",
    "billed_seconds",
    "rate",
    "time_class",
]

TimeClass = Literal["working", "non_working", "weekend"]
ZERO = Decimal("0")


class RatingRefused(ValueError):
    """A call the plan cannot rate (it goes to the dead letters with `code`)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassTerms(_Model):
    """How a destination class is charged."""

    label: str  # the charge line's description, e.g. "Исходящие внутри сети"
    first_s: int = Field(default=60, ge=1, le=3600)
    step_s: int = Field(default=1, ge=1, le=3600)
    #: Net price per minute by time class.
    per_minute: dict[TimeClass, Decimal]
    per_sms: Decimal = ZERO
    bundle: bool = False
    requires_add_on: str | None = None

_LENGTHS: dict[int, tuple[dict[str, str], tuple[int, ...]]] = {}


class PlanTerms(_Model):
    destinations: dict[str, str]  # prefix -> destination class
    classes: dict[str, ClassTerms]
    short_max_digits: int = 4
    vat_rate: Decimal = Decimal("25")

    def _lengths(self) -> tuple[int, ...]:
        """The prefix lengths the plan has, longest first (a lookup tries only these), worked out once
        per destinations dict (by identity, held: a cached_property was copied by `model_copy`, so a
        plan given longer prefixes that way still tried only the old lengths)."""
        found = _LENGTHS.get(id(self.destinations))
        if found is None or found[0] is not self.destinations:
            if len(_LENGTHS) > 1_000:
                _LENGTHS.clear()
            found = _LENGTHS[id(self.destinations)] = (
                self.destinations, tuple(sorted({len(p) for p in self.destinations}, reverse=True)))
        return found[1]

    def destination(self, number: str) -> str:
        """The class of the longest prefix matching `number` (short numbers first)."""
        if len(number) <= self.short_max_digits and "short" in self.classes:
            return "short"
        destinations = self.destinations
        for length in self._lengths():
            found = destinations.get(number[:length]) if length <= len(number) else None
            if found is not None:
                return found
        raise RatingRefused("cdr.destination_unknown", f"no destination of the plan matches {number}")


class RatingPlans(_Model):
    """Every tariff's rating plan (versioned file `rating/plans.v<N>.json`) and the bundles' sizes."""

    version: int
    comment: str = ""
    plans: dict[str, PlanTerms]  # tariff id -> plan
    bundles: dict[str, int] = Field(default_factory=dict)  # add-on id -> free minutes a month
    holidays: frozenset[date] = frozenset()
    #: VAT on rated usage, percent.
    vat_rate: Decimal = Decimal("25")

    @classmethod
    def load(cls, path: Path) -> RatingPlans:
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))

    def plan_for(self, tariff_id: str) -> PlanTerms:
        try:
            return self.plans[tariff_id]
        except KeyError:
            raise RatingRefused("cdr.tariff_not_rated", f"tariff {tariff_id} has no rating plan") from None

    def vat_rate_for(self, usage_class: str) -> Decimal:
        return self.vat_rate

    def bundle_seconds(self, add_ons: set[str] | frozenset[str]) -> int:
        if not self.bundles:
            return 0
        return sum(self.bundles.get(a, 0) for a in add_ons) * 60


class _UnitPrices(NamedTuple):
    terms: ClassTerms  # held, so its id stays its own while it is kept here
    #: Per time class: the first increment's and each further increment's price, each rounded once
    #: (`round_line`), in ten-thousandths.
    per_time_class: dict[str, tuple[int, int]]
    per_sms: int


_UNIT_PRICES: dict[int, _UnitPrices] = {}


def unit_prices(terms: ClassTerms) -> _UnitPrices:
    """`terms`' prices in ten-thousandths, worked out once per ClassTerms object (by identity: a
    `model_copy` with other prices is another object; a cached_property would be copied with it)."""
    found = _UNIT_PRICES.get(id(terms))
    if found is None or found.terms is not terms:
        if len(_UNIT_PRICES) > 10_000:
            _UNIT_PRICES.clear()
        found = _UNIT_PRICES[id(terms)] = _UnitPrices(
            terms, {when: (line_units(price * terms.first_s / 60), line_units(price * terms.step_s / 60))
                    for when, price in terms.per_minute.items()}, line_units(terms.per_sms))
    return found


class RatedCall(NamedTuple):  # immutable; a tuple is built in a tenth of a frozen dataclass's time
    destination: str
    time_class: TimeClass
    usage_class: str  # e.g. "off-net-out", "sms-on-net-out"
    label: str
    billed_s: int  # billed seconds (the SMS count for an SMS)
    bundle_s: int  # of which the bundle covered
    net: Decimal  # 4 decimals
    net_units: int  # the same in ten-thousandths

    @property
    def posted_class(self) -> str:
        """The usage class invoicing is posted under: the destination's class and the time class
        (`off-net-out-working`, `on-net-out-weekend`), so the invoice XLSX split by time class can split
        usage into working hours, non-working hours and weekends/holidays."""
        return f"{self.usage_class}-{self.time_class}"


_new_rated = tuple.__new__  # a NamedTuple's own constructor is a Python function: a third of the time


def time_class(local: datetime, holidays: frozenset[date] = frozenset()) -> TimeClass:
    return _time_class(local.date(), local.hour, holidays)


@lru_cache(maxsize=65536)
def _time_class(day: date, hour: int, holidays: frozenset[date]) -> TimeClass:
    if is_day_off(day, holidays):
        return "weekend"
    return "working" if 9 <= hour < 18 else "non_working"


def billed_seconds(duration_s: int, first_s: int, step_s: int) -> int:
    """Seconds billed: nothing for an unanswered call, the first increment whole, then whole steps."""
    if duration_s <= 0:
        return 0
    if duration_s <= first_s:
        return first_s
    steps = -(-(duration_s - first_s) // step_s)
    return first_s + steps * step_s


def rate(plans: RatingPlans, tariff_id: str, add_ons: frozenset[str], *, kind: Literal["call", "sms"],
         callee: str, local_start: datetime, duration_s: int, bundle_left_s: int) -> RatedCall:
    """One outgoing call or SMS of a line on `tariff_id` with `add_ons`, `bundle_left_s` seconds of
    its bundles unused this month."""
    plan = plans.plan_for(tariff_id)
    destination = plan.destination(callee)
    terms = plan.classes[destination]
    if terms.requires_add_on is not None and terms.requires_add_on not in add_ons:
        raise RatingRefused("cdr.add_on_required",
                            f"{destination} calls need the add-on {terms.requires_add_on}")
    when = time_class(local_start, plans.holidays)
    if kind == "sms":
        units = unit_prices(terms).per_sms
        return RatedCall(destination, when, f"sms-{destination}-out", f"SMS: {terms.label}", 1, 0,
                         from_line_units(units), units)
    billed = billed_seconds(duration_s, terms.first_s, terms.step_s)
    covered = min(billed, bundle_left_s) if terms.bundle else 0
    first, step = unit_prices(terms).per_time_class[when]
    if covered:  # what the bundle cannot cover, by whole increments
        units = step * -(-(billed - covered) // terms.step_s)
    elif billed <= 0:
        units = 0
    elif billed <= terms.first_s:  # billed_seconds never bills less than the first increment
        units = first
    else:
        units = first + step * ((billed - terms.first_s) // terms.step_s)
    return _new_rated(RatedCall, (destination, when, f"{destination}-out", terms.label, billed, covered,
                                  from_line_units(units), units))
