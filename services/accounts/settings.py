from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from shared.settings import CommonSettings

CATALOGUE = Path(__file__).parent / "catalogue" / "tariffs.v2.json"
KNOWLEDGE_BASE = Path(__file__).parent / "catalogue" / "knowledge_base.json"


class AccountsSettings(CommonSettings):
    accounts_http_port: int = 8102
    #: The notifications service's base URL: SMS login codes and temporary passwords go there.
    #: Required when BILLING_ENV=prod; unset elsewhere, the dev stack prints them on its console.
    notifications_url: str | None = None
    #: The tariff catalogue file (versioned: tariffs.v<N>.json).
    tariff_catalogue: Path = CATALOGUE
    #: The knowledge base beside support requests: static pages an operator edits (a JSON file).
    knowledge_base: Path = KNOWLEDGE_BASE
    #: The dev sandbox of the TV partners: per partner accept, refuse or timeout (e.g.
    #: "smotreshka=accept,24tv=timeout"); unset partners accept. Production has no sandbox.
    tv_partners_sandbox: str = ""
    #: How long a TV partner's API may take to answer, seconds: below the gateway's 10 s for the
    #: whole command, so the subscriber hears `tv.partner_unavailable`, not a gateway timeout.
    tv_partner_timeout_s: float = Field(default=5.0, gt=0, le=8)
    #: argon2id cost; the defaults are OWASP's minimum (19 MiB, 2 passes).
    argon2_memory_kib: int = Field(default=19456, ge=1024)
    argon2_time_cost: int = Field(default=2, ge=1)

    @model_validator(mode="after")
    def _notifications_in_prod(self) -> AccountsSettings:
        if self.billing_env == "prod" and not (self.notifications_url or "").strip():
            # Without it no login code or temporary password would ever reach a subscriber.
            raise ValueError("NOTIFICATIONS_URL is required when BILLING_ENV=prod (login codes and"
                             " temporary passwords are sent through the notifications service)")
        return self
