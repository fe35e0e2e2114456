from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from shared.settings import CommonSettings

DEV_TOKEN_SECRET = "dev-gateway-token-secret-not-for-production"
DEV_NOTIFICATIONS_URL = "http://127.0.0.1:8105"


class GatewaySettings(CommonSettings):
    gateway_http_port: int = 8100
    #: Read-your-writes: how long a query may wait for a write the caller just made.
    read_your_writes_timeout_s: float = Field(default=2.0, gt=0, le=5)  # accounts waits at most 5 s
    #: Where the read models' consumers run: `in_process` (in each HTTP worker's event loop) or
    #: `own_process` (`python -m services.gateway.projector`, as the Procfile runs them: the HTTP
    #: workers only serve; README "Cabinet read path").
    gateway_projections: Literal["in_process", "own_process"] = "in_process"
    #: Connections of the pool the read pages use, per granian worker (README "Cabinet read path").
    pages_pool_size: int = Field(default=10, ge=1, le=100)
    #: The accounts service's internal API (logins, profile, blocks, tariffs).
    accounts_url: str = "http://127.0.0.1:8102"
    #: The payments service's internal API (top-ups, promised payments, autopay, guarantees).
    payments_url: str = "http://127.0.0.1:8101"
    #: The invoicing service's internal API (charges, invoices and their documents, delivery).
    invoicing_url: str = "http://127.0.0.1:8103"
    #: The telephony service's internal API (SIP and mobile lines, call detail).
    telephony_url: str = "http://127.0.0.1:8104"
    #: The notifications service's internal API (the cabinet's messages, a user's notification
    #: channels). Required when BILLING_ENV=prod; elsewhere the dev stack's address by default.
    notifications_url: str | None = None
    #: Signs the cabinet's access tokens (HMAC-SHA256); required, 32+ characters, in prod.
    gateway_token_secret: SecretStr | None = None
    access_token_ttl_s: int = Field(default=900, ge=30, le=3600)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, ge=300)
    #: Rate limits, per fixed window: wrong-or-right logins per login, per client address; SMS
    #: codes sent per phone; code checks per phone; recoveries per login.
    rate_limit_window_s: int = Field(default=900, ge=1)
    login_attempts_per_login: int = Field(default=5, ge=1)
    login_attempts_per_address: int = Field(default=50, ge=1)
    codes_sent_per_phone: int = Field(default=3, ge=1)
    code_checks_per_phone: int = Field(default=5, ge=1)
    recoveries_per_login: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _secret_outside_dev(self) -> GatewaySettings:
        if self.billing_env == "prod":
            secret = self.gateway_token_secret.get_secret_value() if self.gateway_token_secret else ""
            if len(secret) < 32:
                raise ValueError("GATEWAY_TOKEN_SECRET (32+ characters) is required when BILLING_ENV=prod")
        return self

    @model_validator(mode="after")
    def _notifications_in_prod(self) -> GatewaySettings:
        if self.billing_env == "prod" and not (self.notifications_url or "").strip():
            raise ValueError("NOTIFICATIONS_URL is required when BILLING_ENV=prod (the cabinet's messages"
                             " and notification preferences come from the notifications service)")
        return self

    @property
    def notifications_api_url(self) -> str:
        return (self.notifications_url or "").strip() or DEV_NOTIFICATIONS_URL

    @property
    def token_secret(self) -> bytes:
        if self.gateway_token_secret is not None:
            return self.gateway_token_secret.get_secret_value().encode()
        return DEV_TOKEN_SECRET.encode()
