"""An account's charges: one stream per account (`charges-<account>`) holding every line posted, the
fee forecasts and the regular invoices, so every decision about the account's money is taken on one
consistent state (a concurrent writer loses the append and decides again).

Posting reconciles: what should be charged by now (domain/coverage.py) is compared with what was
posted, per item and price, and only the difference is posted: missing days as charges, days no
longer due as credits (negative figures), never an edit. So a re-run, a redelivered fact or a timer
firing twice posts nothing new, and every line has a deterministic `charge_id` (period, item,
price, days and how many identical lines came before)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from services.invoicing.domain.coverage import Coverage, FeeKey
from services.invoicing.domain.events import (
    ChargePosted,
    FeesForecast,
    InstallmentPaidOff,
    InstallmentRegistered,
    InvoiceIssued,
)
from services.invoicing.domain.installment import Installment
from services.invoicing.domain.proration import ZERO, Figures, Price, amounts
from shared.aggregate import Aggregate
from shared.calendar import add_months, days_in_month
from shared.errors import Conflict, NotFound
from shared.events import DomainEvent
from shared.money import round_money, vat_from_gross, vat_from_net

__all__ = ["AccountCharges", "PostedKey", "following_period", "label_of", "stream_id_for"]

#: What posted lines add up under: the item and the monthly price (gross) with its VAT rate.
PostedKey = tuple[str, Decimal, Decimal]


def stream_id_for(account_id: str) -> str:
    return f"charges-{account_id}"


@dataclass
class _Posted:
    days: Counter[date] = field(default_factory=Counter)
    figures: Figures = field(default_factory=lambda: Figures(ZERO, ZERO))
    label: str = ""

    def covered(self) -> set[date]:
        return {day for day, count in self.days.items() if count > 0}


@dataclass
class _Period:
    charge_ids: set[str] = field(default_factory=set)
    posted: dict[PostedKey, _Posted] = field(default_factory=dict)
    totals: Figures = field(default_factory=lambda: Figures(ZERO, ZERO))


class AccountCharges(Aggregate):
    stream_type = "charges"
    snapshot_every = 100  # a daily-accrual account appends about 60 events a month
    snapshot_schema = 2  # 2: installments

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.account_id = stream_id.removeprefix("charges-")
        self.periods: dict[date, _Period] = {}
        self.forecasts: dict[date, Decimal] = {}
        self.invoices: dict[date, str] = {}
        self.installments: dict[str, Installment] = {}
        #: What each installment's charges came to so far.
        self.installments_charged: dict[str, Decimal] = {}

    # -- state --------------------------------------------------------------------------------------
    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ChargePosted):
            period = self.periods.setdefault(event.period, _Period())
            period.charge_ids.add(event.charge_id)
            figures = Figures(event.net, event.vat, event.other_tax)
            period.totals = Figures(period.totals.net + figures.net, period.totals.vat + figures.vat,
                                    period.totals.other_tax + figures.other_tax)
            if event.monthly_fee is not None:
                posted = period.posted.setdefault((event.item, event.monthly_fee, event.vat_rate), _Posted())
                sign = -1 if event.kind == "credit" else 1
                days = [event.from_day + timedelta(days=n) for n in range((event.to_day - event.from_day).days + 1)]
                if sign > 0:
                    posted.days.update(days)
                else:
                    posted.days.subtract(days)
                posted.figures = Figures(posted.figures.net + figures.net, posted.figures.vat + figures.vat)
                if sign > 0 and not posted.label:
                    posted.label = label_of(event.description, (event.to_day - event.from_day).days + 1)
            if event.kind == "installment":
                installment_id = event.item.removeprefix("installment:")
                self.installments_charged[installment_id] = (
                    self.installments_charged.get(installment_id, ZERO) + event.total)
        elif isinstance(event, FeesForecast):
            self.forecasts[event.period] = event.amount
        elif isinstance(event, InvoiceIssued):
            self.invoices[event.period] = event.invoice_id
        elif isinstance(event, InstallmentRegistered):
            self.installments[event.installment_id] = Installment(
                event.installment_id, event.line_id, event.description, event.total, event.payments,
                event.first_month, event.vat_rate)
        elif isinstance(event, InstallmentPaidOff):
            found = self.installments[event.installment_id]
            self.installments[event.installment_id] = Installment(
                found.installment_id, found.line_id, found.description, found.total, found.payments,
                found.first_month, found.vat_rate, event.period)

    def period_totals(self, period: date) -> Figures:
        found = self.periods.get(period)
        return found.totals if found else Figures(ZERO, ZERO)

    # -- decisions ----------------------------------------------------------------------------------
    def post_charges(self, period: date, wanted: dict[FeeKey, Coverage], now: datetime) -> list[ChargePosted]:
        """The lines that bring the period's posted charges to `wanted`, and the period's installment
        payments not posted yet: none when they are there."""
        if period in self.invoices:
            return []  # an invoiced period is closed; later facts do not reopen it
        state = self.periods.get(period, _Period())
        prices: dict[PostedKey, tuple[Price, Coverage | None]] = {}
        for key, wanted_days in wanted.items():
            prices[(key.item, key.price.monthly_fee, key.price.vat_rate)] = (key.price, wanted_days)
        for posted_key in state.posted:
            prices.setdefault(posted_key, (Price(posted_key[1], posted_key[2]), None))
        lines: list[ChargePosted] = []
        for posted_key in sorted(prices):
            price, coverage = prices[posted_key]
            lines += self._reconcile(period, posted_key, price, coverage, state, now)
        return lines + self.post_installments(period, now)

    def post_installments(self, period: date, now: datetime) -> list[ChargePosted]:
        """The period's installment payments not posted yet, once each (`<period>/installment:<id>/<n>`)."""
        if period in self.invoices:
            return []
        taken = self.periods.get(period, _Period()).charge_ids
        lines: list[ChargePosted] = []
        for installment in sorted(self.installments.values(), key=lambda i: i.installment_id):
            due = installment.payment_due(period)
            if due is None:
                continue
            number, amount = due
            charge_id = f"{period:%Y-%m}/{installment.item}/{number}"
            if charge_id not in taken:
                lines.append(self._installment_line(installment, period, charge_id, installment.payment_label(number),
                                                    amount, now))
        return lines

    def pay_off_installment(self, installment_id: str, period: date, now: datetime) -> list[DomainEvent]:
        """Paid off early: what is left of the total (after this period's payment if it was posted)
        as one charge now, and no later payment. Refused when already paid off or fully charged."""
        found = self.installments.get(installment_id)
        if found is None:
            raise NotFound("installment.not_found", f"account {self.account_id} has no installment {installment_id}")
        left = round_money(found.total - self.installments_charged.get(installment_id, ZERO))
        if found.paid_off_in is not None or left <= 0:
            raise Conflict("installment.paid_off", f"installment {installment_id} is paid off")
        line = self._installment_line(found, period, f"{period:%Y-%m}/{found.item}/payoff", found.payoff_label,
                                      left, now)
        return [InstallmentPaidOff(account_id=self.account_id, installment_id=installment_id, period=period,
                                   amount=left, paid_off_at=now), line]

    def _installment_line(self, installment: Installment, period: date, charge_id: str, label: str,
                          amount: Decimal, now: datetime) -> ChargePosted:
        split = vat_from_gross(amount, installment.vat_rate)
        return ChargePosted(
            account_id=self.account_id, charge_id=charge_id, period=period, kind="installment",
            item=installment.item, line_id=installment.line_id, description=label, from_day=period,
            to_day=following_period(period) - timedelta(days=1), net=split.net, vat_rate=installment.vat_rate,
            vat=split.vat, total=split.net + split.vat, posted_at=now)

    def _reconcile(self, period: date, key: PostedKey, price: Price, coverage: Coverage | None,
                   state: _Period, now: datetime) -> list[ChargePosted]:
        posted = state.posted.get(key, _Posted())
        have = posted.covered()
        want = coverage.days if coverage is not None else set()
        days, figures, dim = len(have), posted.figures, days_in_month(period)
        label = coverage.label if coverage is not None else posted.label
        lines: list[ChargePosted] = []
        for sign, run in [(-1, r) for r in _runs(have - want)] + [(1, r) for r in _runs(want - have)]:
            days += sign * len(run)
            target = amounts(price, days, dim) if coverage is not None or days else Figures(ZERO, ZERO)
            line = target - figures
            if line.is_zero:
                continue
            figures = target
            charge_id = self._charge_id(period, key, sign, run, state, lines)
            kind = "credit" if sign < 0 else (coverage.kind if coverage is not None else "subscription")
            lines.append(ChargePosted(
                account_id=self.account_id, charge_id=charge_id, period=period, kind=kind, item=key[0],
                line_id=coverage.line_id if coverage is not None else _line_of(key[0]),
                description=_describe(label, len(run), dim, price.whole), from_day=run[0], to_day=run[-1],
                net=line.net, vat_rate=price.vat_rate, vat=line.vat, other_tax=line.other_tax, total=line.total,
                posted_at=now, monthly_fee=price.monthly_fee,
            ))
        return lines

    def _charge_id(self, period: date, key: PostedKey, sign: int, run: list[date], state: _Period,
                   pending: list[ChargePosted]) -> str:
        base = f"{period:%Y-%m}/{key[0]}/{key[1]}@{key[2]}/{'+' if sign > 0 else '-'}{run[0]:%d}..{run[-1]:%d}"
        taken = state.charge_ids | {line.charge_id for line in pending}
        n = 1
        while f"{base}/{n}" in taken:
            n += 1
        return f"{base}/{n}"

    def post_usage(self, period: date, usage_id: str, line_id: str, usage_class: str, label: str, quantity: str,
                   day: date, net: Decimal, vat_rate: Decimal, now: datetime) -> list[ChargePosted]:
        """Rated usage as a line (telephony's calls, once it rates them): once per `usage_id`."""
        charge_id = f"{period:%Y-%m}/usage:{line_id}:{usage_class}/{usage_id}"
        if period in self.invoices or charge_id in self.periods.get(period, _Period()).charge_ids:
            return []
        split = vat_from_net(net, vat_rate)
        return [ChargePosted(
            account_id=self.account_id, charge_id=charge_id, period=period, kind="usage",
            item=f"usage:{line_id}:{usage_class}", line_id=line_id, description=label, from_day=day, to_day=day,
            quantity=quantity, net=split.net, vat_rate=vat_rate, vat=split.vat, total=split.net + split.vat,
            posted_at=now,
        )]

    def forecast(self, period: date, wanted: dict[FeeKey, Coverage], now: datetime) -> list[FeesForecast]:
        """The period's fees (gross, 2 decimals), its installment payments included, if they differ
        from the last forecast published."""
        dim = days_in_month(period)
        total = sum((amounts(key.price, len(c.days), dim).total for key, c in wanted.items()), ZERO)
        dues = (i.payment_due(period) for i in self.installments.values())
        total += sum((due[1] for due in dues if due is not None), ZERO)
        amount = round_money(total)
        if self.forecasts.get(period) == amount:
            return []
        return [FeesForecast(account_id=self.account_id, period=period, amount=amount, at=now)]

    def issue_invoice(self, period: date, invoice_id: str, series: str, number: str, issued_at: datetime,
                      due_on: date) -> list[InvoiceIssued]:
        if period in self.invoices:
            return []
        totals = self.period_totals(period)
        return [InvoiceIssued(account_id=self.account_id, invoice_id=invoice_id, series=series, number=number,
                              period=period, net=totals.net, vat=totals.vat, other_tax=totals.other_tax,
                              total=totals.total, issued_at=issued_at, due_on=due_on)]

    # -- snapshots ------------------------------------------------------------------------------
    def snapshot_state(self) -> dict[str, Any]:
        return {
            "periods": {p.isoformat(): _dump_period(s) for p, s in self.periods.items()},
            "forecasts": {p.isoformat(): str(a) for p, a in self.forecasts.items()},
            "invoices": {p.isoformat(): i for p, i in self.invoices.items()},
            "installments": [_dump_installment(i) for i in self.installments.values()],
            "installments_charged": {i: str(a) for i, a in self.installments_charged.items()},
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        self.periods = {date.fromisoformat(p): _load_period(s) for p, s in state["periods"].items()}
        self.forecasts = {date.fromisoformat(p): Decimal(a) for p, a in state["forecasts"].items()}
        self.invoices = {date.fromisoformat(p): i for p, i in state["invoices"].items()}
        self.installments = {i["installment_id"]: _load_installment(i) for i in state["installments"]}
        self.installments_charged = {i: Decimal(a) for i, a in state["installments_charged"].items()}


def following_period(period: date) -> date:
    return add_months(period, 1)


def _runs(days: set[date]) -> list[list[date]]:
    """Contiguous runs of days, in order."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _describe(label: str, days: int, days_in_period: int, whole: bool) -> str:
    """As the charges page shows it: "План SIP-соединение 27" for 27 days of a 31-day month."""
    return label if whole or days >= days_in_period else f"{label} {days}"


def label_of(description: str, days: int) -> str:
    """A fee line's name without the days `_describe` added ("План SIP-соединение 27" -> "План SIP-соединение")."""
    suffix = f" {days}"
    return description[: -len(suffix)] if description.endswith(suffix) else description


def _line_of(item: str) -> str | None:
    parts = item.split(":")
    return parts[1] if parts[0] in ("line", "add-on") and len(parts) > 1 else None


def _dump_period(state: _Period) -> dict[str, Any]:
    return {
        "charge_ids": sorted(state.charge_ids),
        "totals": [str(state.totals.net), str(state.totals.vat), str(state.totals.other_tax)],
        "posted": [
            {"key": [k[0], str(k[1]), str(k[2])], "label": p.label,
             "figures": [str(p.figures.net), str(p.figures.vat)],
             "days": {d.isoformat(): c for d, c in p.days.items() if c}}
            for k, p in state.posted.items()
        ],
    }


def _load_period(data: dict[str, Any]) -> _Period:
    net, vat, other = (Decimal(x) for x in data["totals"])
    state = _Period(charge_ids=set(data["charge_ids"]), totals=Figures(net, vat, other))
    for entry in data["posted"]:
        item, fee, rate = entry["key"]
        state.posted[(item, Decimal(fee), Decimal(rate))] = _Posted(
            days=Counter({date.fromisoformat(d): c for d, c in entry["days"].items()}),
            figures=Figures(Decimal(entry["figures"][0]), Decimal(entry["figures"][1])), label=entry["label"])
    return state



def _dump_installment(installment: Installment) -> dict[str, Any]:
    return {"installment_id": installment.installment_id, "line_id": installment.line_id,
            "description": installment.description, "total": str(installment.total),
            "payments": installment.payments, "first_month": installment.first_month.isoformat(),
            "vat_rate": str(installment.vat_rate),
            "paid_off_in": installment.paid_off_in.isoformat() if installment.paid_off_in else None}


def _load_installment(data: dict[str, Any]) -> Installment:
    return Installment(data["installment_id"], data["line_id"], data["description"], Decimal(data["total"]),
                       data["payments"], date.fromisoformat(data["first_month"]), Decimal(data["vat_rate"]),
                       date.fromisoformat(data["paid_off_in"]) if data["paid_off_in"] else None)
