"""How the operator charges each tariff and add-on: invoicing's own charging rules, a versioned file
(`charging/rules.v<N>.json`, setting CHARGING_RULES), keyed by the catalogue's ids.

- `accrual` per tariff: `in_advance` (the month's fee on the 1st, the default) or `daily` (fee x
  1/days-in-month each day); a line's add-ons follow its tariff.
- `block_fee` per tariff: the reduced monthly fee (gross) during a voluntary block; a tariff not
  listed charges nothing for blocked days.
- `whole_month` add-ons: charged in full for any day of the month (minute bundles, seed 004's
  "SIP 3000 минут в другие сети"), never prorated."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Accrual", "ChargingRules", "TariffRule"]

Accrual = Literal["in_advance", "daily"]


class TariffRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accrual: Accrual = "in_advance"
    block_fee: Decimal | None = Field(default=None, ge=0)


class ChargingRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    comment: str = ""
    default_accrual: Accrual = "in_advance"
    tariffs: dict[str, TariffRule] = Field(default_factory=dict)
    whole_month: frozenset[str] = frozenset()

    def accrual(self, tariff_id: str) -> Accrual:
        rule = self.tariffs.get(tariff_id)
        return rule.accrual if rule is not None else self.default_accrual

    def daily_tariffs(self) -> list[str] | None:
        """The tariffs accrued daily; None when every tariff not listed is (all are)."""
        if self.default_accrual == "daily":
            return None
        return sorted(t for t, rule in self.tariffs.items() if rule.accrual == "daily")

    def block_fee(self, tariff_id: str) -> Decimal | None:
        rule = self.tariffs.get(tariff_id)
        return rule.block_fee if rule is not None else None

    def charged_whole(self, service_id: str) -> bool:
        return service_id in self.whole_month

    @classmethod
    def load(cls, path: Path) -> ChargingRules:
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
