from __future__ import annotations

from pydantic import SecretStr, model_validator

from shared.settings import CommonSettings


class GatewaySettings(CommonSettings):
    gateway_http_port: int = 8100
    #: Until cabinet logins exist, every route requires this operator token (no default in prod).
    gateway_operator_token: SecretStr | None = None
    #: The operator's time zone: the cabinet's dates ("from 1 March") are days there.
    billing_timezone: str = "Europe/Minsk"
    #: Read-your-writes: how long a query may wait for a write the caller just made.
    read_your_writes_timeout_s: float = 2.0

    @model_validator(mode="after")
    def _token_outside_dev(self) -> GatewaySettings:
        if self.billing_env == "prod" and self.gateway_operator_token is None:
            raise ValueError("GATEWAY_OPERATOR_TOKEN is required when BILLING_ENV=prod")
        return self

    @property
    def operator_token(self) -> str:
        if self.gateway_operator_token is not None:
            return self.gateway_operator_token.get_secret_value()
        return "dev-operator-token"
