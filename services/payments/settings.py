from __future__ import annotations

from decimal import Decimal

from pydantic import Field, SecretStr, model_validator

from shared.settings import CommonSettings

__all__ = ["PaymentsSettings"]

_PROVIDERS = {"robokassa", "webhook", "sandbox"}
#: Dev-only stand-ins; BILLING_ENV=prod refuses to start without real ones.
_DEV_SECRETS = {
    "robokassa_password1": "dev-robokassa-password-1",
    "robokassa_password2": "dev-robokassa-password-2",
    "webhook_secret": "dev-webhook-secret",
    "sandbox_secret": "dev-sandbox-secret",
}


class PaymentsSettings(CommonSettings):
    payments_http_port: int = 8101
    #: Where providers reach this service's public routes (callbacks, the sandbox page); unset:
    #: this host on PAYMENTS_HTTP_PORT (dev stacks).
    payments_public_url: str | None = None
    #: The operator's time zone: billing periods start at local midnight on the 1st.
    billing_timezone: str = "Europe/Minsk"
    #: Largest promised payment; unset: the account's monthly fee.
    promised_payment_cap: Decimal | None = Field(default=None, gt=0)
    #: Enabled providers, comma-separated; unset: all three outside prod, robokassa and webhook in prod.
    payment_providers: str | None = None

    robokassa_merchant_login: str = "billing-dev"
    robokassa_password1: SecretStr | None = None
    robokassa_password2: SecretStr | None = None
    robokassa_payment_url: str = "https://auth.robokassa.ru/Merchant/Index.aspx"
    robokassa_test_mode: bool = True

    webhook_secret: SecretStr | None = None
    webhook_checkout_url: str = "https://checkout.example.invalid/pay"
    #: The provider's API charging saved methods (autopay); unset: it cannot.
    webhook_charge_url: str | None = None

    sandbox_secret: SecretStr | None = None

    @property
    def providers(self) -> set[str]:
        if self.payment_providers is None:
            return _PROVIDERS - {"sandbox"} if self.billing_env == "prod" else set(_PROVIDERS)
        return {p.strip() for p in self.payment_providers.split(",") if p.strip()}

    @model_validator(mode="after")
    def _providers_configured(self) -> PaymentsSettings:
        unknown = self.providers - _PROVIDERS
        if unknown:
            raise ValueError(f"PAYMENT_PROVIDERS: unknown {sorted(unknown)}")
        if self.billing_env == "prod":
            if "sandbox" in self.providers:
                raise ValueError("PAYMENT_PROVIDERS: the sandbox provider is not allowed when BILLING_ENV=prod")
            needed = {"robokassa": ["robokassa_password1", "robokassa_password2"], "webhook": ["webhook_secret"]}
            for provider in sorted(self.providers):
                for name in needed.get(provider, []):
                    if getattr(self, name) is None:
                        raise ValueError(f"{name.upper()} is required when BILLING_ENV=prod and {provider} is on")
        return self

    @property
    def public_url(self) -> str:
        return self.payments_public_url or f"http://127.0.0.1:{self.payments_http_port}"

    def secret(self, name: str) -> str:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value is not None else _DEV_SECRETS[name]
