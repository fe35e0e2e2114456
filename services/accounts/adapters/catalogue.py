"""Loading the tariff catalogue file."""

from __future__ import annotations

import json
from pathlib import Path

from services.accounts.domain.tariffs import TariffCatalogue

__all__ = ["load_catalogue"]


def load_catalogue(path: Path) -> TariffCatalogue:
    try:
        return TariffCatalogue.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as error:
        raise SystemExit(f"TARIFF_CATALOGUE: cannot load {path}: {error}") from None
