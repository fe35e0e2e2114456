from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import CommonSettings

CATALOGUE = Path(__file__).parent / "catalogue" / "tariffs.v1.json"


class AccountsSettings(CommonSettings):
    accounts_http_port: int = 8102
    #: The operator's time zone: block dates and month ends are days there.
    billing_timezone: str = "Europe/Minsk"
    #: The notifications service's base URL; unset, secrets go to the dev console (dev only).
    notifications_url: str | None = None
    #: The tariff catalogue file (versioned: tariffs.v<N>.json).
    tariff_catalogue: Path = CATALOGUE
    #: argon2id cost; the defaults are OWASP's minimum (19 MiB, 2 passes).
    argon2_memory_kib: int = Field(default=19456, ge=1024)
    argon2_time_cost: int = Field(default=2, ge=1)
