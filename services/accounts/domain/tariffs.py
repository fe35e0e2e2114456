"""The tariff catalogue: tariffs and add-on services with their prices, VAT and rules.

It is loaded from a versioned file (`catalogue/tariffs.v<N>.json`); prices are given net or gross
as the operator publishes them and turned into a gross monthly fee through shared/money.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

from services.accounts.domain.events import BlockTerms, LineKind, TvPartner
from shared.errors import NotFound
from shared.money import round_money, vat_from_gross, vat_from_net

__all__ = ["AddOn", "Tariff", "TariffCatalogue"]


def _gross(price: Decimal, includes_vat: bool, rate: Decimal) -> tuple[Decimal, Decimal]:
    split = vat_from_gross(price, rate) if includes_vat else vat_from_net(price, rate)
    return split.net, round_money(split.gross)


@dataclass(frozen=True)
class Tariff:
    tariff_id: str
    name: str
    kind: LineKind
    monthly_fee: Decimal  # gross, ledger precision
    monthly_fee_net: Decimal  # 4 decimals
    vat_rate: Decimal
    self_service_change: bool
    voluntary_block: BlockTerms | None
    #: The add-ons a subscriber connects and disconnects in the cabinet; the rest only the office.
    self_service_add_ons: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        return {
            "tariff_id": self.tariff_id,
            "name": self.name,
            "kind": self.kind,
            "monthly_fee": str(self.monthly_fee),
            "monthly_fee_net": str(self.monthly_fee_net),
            "vat_rate": str(self.vat_rate),
            "self_service_change": self.self_service_change,
            "voluntary_block": self.voluntary_block.model_dump(mode="json") if self.voluntary_block else None,
            "self_service_add_ons": sorted(self.self_service_add_ons),
        }


@dataclass(frozen=True)
class AddOn:
    service_id: str
    name: str
    kinds: tuple[LineKind, ...]
    monthly_fee: Decimal
    vat_rate: Decimal
    #: A TV partner's subscription (TELEPHONY.md T-12): the partner and its package id there.
    partner: TvPartner | None = None
    partner_package: str | None = None


class TariffCatalogue:
    def __init__(self, version: int, tariffs: list[Tariff], add_ons: list[AddOn]) -> None:
        self.version = version
        self._tariffs = {t.tariff_id: t for t in tariffs}
        self._add_ons = {a.service_id: a for a in add_ons}

    def tariff(self, tariff_id: str) -> Tariff:
        try:
            return self._tariffs[tariff_id]
        except KeyError:
            raise NotFound("tariff.not_found", f"there is no tariff {tariff_id!r}") from None

    def add_on(self, service_id: str) -> AddOn:
        try:
            return self._add_ons[service_id]
        except KeyError:
            raise NotFound("add_on.not_found", f"there is no add-on service {service_id!r}") from None

    def add_ons(self, kind: str | None = None) -> list[AddOn]:
        return [a for a in self._add_ons.values() if kind is None or kind in a.kinds]

    def tariffs(self, kind: str | None = None) -> list[Tariff]:
        return [t for t in self._tariffs.values() if kind is None or t.kind == kind]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TariffCatalogue:
        """Parse the file's content; a wrong entry raises ValueError naming it."""
        kinds = set(get_args(LineKind))
        tariffs = []
        for entry in data["tariffs"]:
            if entry["kind"] not in kinds:
                raise ValueError(f"tariff {entry['id']}: unknown kind {entry['kind']!r}")
            rate = Decimal(entry["vat_rate"])
            net, gross = _gross(Decimal(entry["price"]), bool(entry["price_includes_vat"]), rate)
            block = entry.get("voluntary_block")
            terms = BlockTerms.model_validate(block) if block else None
            if terms and not 1 <= terms.min_days <= terms.max_days:
                raise ValueError(f"tariff {entry['id']}: bad block period")
            tariffs.append(Tariff(entry["id"], entry["name"], entry["kind"], gross, net, rate,
                                  bool(entry["self_service_change"]), terms,
                                  frozenset(entry.get("self_service_add_ons", ()))))
        add_ons = []
        for entry in data.get("add_ons", []):
            rate = Decimal(entry["vat_rate"])
            _, gross = _gross(Decimal(entry["price"]), bool(entry["price_includes_vat"]), rate)
            partner = entry.get("partner")
            if partner is not None and (partner not in get_args(TvPartner) or not entry.get("partner_package")):
                raise ValueError(f"add-on {entry['id']}: unknown partner {partner!r} or no partner_package")
            add_ons.append(AddOn(entry["id"], entry["name"], tuple(entry["kinds"]), gross, rate, partner,
                                 entry.get("partner_package")))
        known = {a.service_id: a for a in add_ons}
        for tariff in tariffs:
            for service_id in tariff.self_service_add_ons:
                if service_id not in known or tariff.kind not in known[service_id].kinds:
                    raise ValueError(f"tariff {tariff.tariff_id}: self-service add-on {service_id!r} is not"
                                     f" a {tariff.kind} add-on of the catalogue")
        return cls(int(data["version"]), tariffs, add_ons)
