from __future__ import annotations

from decimal import Decimal

from pydantic import Field, SecretStr, model_validator

from shared.settings import CommonSettings

__all__ = ["PaymentsSettings"]

_PROVIDERS = {"robokassa", "uniteller", "webhook", "sandbox"}
#: Dev-only stand-ins; BILLING_ENV=prod refuses to start without real ones.
_DEV_SECRETS = {
    "robokassa_password1": "dev-robokassa-password-1",
    "robokassa_password2": "dev-robokassa-password-2",
    "uniteller_password": "dev-uniteller-password",
    "webhook_secret": "dev-webhook-secret",
    "sandbox_secret": "dev-sandbox-secret",
}

#: Secrets each provider needs in prod, with their least length (Robokassa's passwords are the
#: merchant's own and may be short: only non-empty there).
_PROD_SECRETS = {
    "robokassa": {"robokassa_password1": 1, "robokassa_password2": 1},
    "uniteller": {"uniteller_password": 1},
    "webhook": {"webhook_secret": 16},
    "sandbox": {"sandbox_secret": 16},
}


def _check_prod_secret(name: str, value: SecretStr | None, min_length: int, provider: str) -> None:
    secret = value.get_secret_value() if value is not None else ""
    if not secret.strip():
        raise ValueError(f"{name.upper()} is required when BILLING_ENV=prod and {provider} is on")
    if len(secret) < min_length:
        raise ValueError(f"{name.upper()} must be at least {min_length} characters when BILLING_ENV=prod")
    if secret == _DEV_SECRETS[name]:
        raise ValueError(f"{name.upper()} is the dev stand-in, not allowed when BILLING_ENV=prod")


class PaymentsSettings(CommonSettings):
    payments_http_port: int = 8101
    #: Where providers reach this service's public routes (callbacks, the sandbox page); unset:
    #: this host on PAYMENTS_HTTP_PORT (dev stacks).
    payments_public_url: str | None = None
    #: The gateway, whose web cabinet the sandbox's "paid" page links back to (`/cabinet`).
    gateway_url: str = "http://127.0.0.1:8100"
    #: Largest promised payment; unset: the account's monthly fee.
    promised_payment_cap: Decimal | None = Field(default=None, gt=0)
    #: Enabled providers, comma-separated; unset: all outside prod, robokassa and webhook in prod.
    payment_providers: str | None = None

    robokassa_merchant_login: str = "billing-dev"
    robokassa_password1: SecretStr | None = None
    robokassa_password2: SecretStr | None = None
    robokassa_payment_url: str = "https://auth.robokassa.ru/Merchant/Index.aspx"
    #: Robokassa's test mode (`IsTest=1`: no money moves); unset: on in dev only. Refused in prod.
    robokassa_test_mode: bool | None = None

    uniteller_shop_id: str = "billing-dev"
    uniteller_password: SecretStr | None = None
    uniteller_payment_url: str = "https://wpay.uniteller.ru/pay/"
    #: Where Uniteller sends the subscriber back after paying (the cabinet).
    uniteller_return_url: str = "http://127.0.0.1:8100/"

    webhook_secret: SecretStr | None = None
    webhook_checkout_url: str = "https://checkout.example.invalid/pay"
    #: The provider's API charging saved methods (autopay); unset: it cannot.
    webhook_charge_url: str | None = None

    sandbox_secret: SecretStr | None = None

    @property
    def providers(self) -> set[str]:
        if self.payment_providers is None:
            # Uniteller is opted into in prod (it needs the shop's id and password).
            return {"robokassa", "webhook"} if self.billing_env == "prod" else set(_PROVIDERS)
        return {p.strip() for p in self.payment_providers.split(",") if p.strip()}

    @model_validator(mode="after")
    def _providers_configured(self) -> PaymentsSettings:
        unknown = self.providers - _PROVIDERS
        if unknown:
            raise ValueError(f"PAYMENT_PROVIDERS: unknown {sorted(unknown)}")
        if self.billing_env == "prod":
            if self.robokassa_test_mode:
                raise ValueError("ROBOKASSA_TEST_MODE is not allowed when BILLING_ENV=prod")
            if "sandbox" in self.providers:
                raise ValueError("PAYMENT_PROVIDERS: the sandbox provider is not allowed when BILLING_ENV=prod")
            for provider in sorted(self.providers):
                for name, min_length in _PROD_SECRETS.get(provider, {}).items():
                    _check_prod_secret(name, getattr(self, name), min_length, provider)
        return self

    @property
    def robokassa_test(self) -> bool:
        """Robokassa's test mode in effect: as set, else on in dev only."""
        return self.robokassa_test_mode if self.robokassa_test_mode is not None else self.billing_env == "dev"

    @property
    def public_url(self) -> str:
        return self.payments_public_url or f"http://127.0.0.1:{self.payments_http_port}"

    def secret(self, name: str) -> str:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value is not None else _DEV_SECRETS[name]
