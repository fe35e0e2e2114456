"""What telephony knows of a subscriber line from accounts' facts: its tariffs and add-ons over time,
by the operator's local days. Pure; kept as JSON in the `lines` table (projections/lines.py)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

__all__ = ["AddOnTerm", "TariffTerm", "add_ons_on", "tariff_on"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TariffTerm(_Model):
    from_day: date
    tariff_id: str
    name: str


class AddOnTerm(_Model):
    """An add-on from `from_day` until `until_day` (exclusive), connected and removed at those instants."""

    service_id: str
    name: str
    from_day: date
    connected_at: datetime
    until_day: date | None = None
    disconnected_at: datetime | None = None

    def active_on(self, day: date) -> bool:
        return self.from_day <= day and (self.until_day is None or day < self.until_day)


def tariff_on(tariffs: list[TariffTerm], day: date) -> TariffTerm | None:
    """The tariff in force on `day` (the last term started by then); None before the line's first."""
    current = None
    for term in tariffs:
        if term.from_day <= day:
            current = term
    return current


def add_ons_on(add_ons: list[AddOnTerm], day: date) -> frozenset[str]:
    return frozenset(a.service_id for a in add_ons if a.active_on(day))
