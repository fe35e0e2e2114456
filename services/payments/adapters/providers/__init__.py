"""Payment provider adapters and the set of them a process runs with (from settings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.payments.adapters.providers.hmac_webhook import HmacWebhook
from services.payments.adapters.providers.robokassa import Robokassa
from services.payments.adapters.providers.sandbox import Sandbox
from services.payments.adapters.providers.uniteller import Uniteller
from services.payments.application.ports import CheckoutProvider, MethodCharger
from services.payments.settings import PaymentsSettings
from shared.clock import Clock
from shared.db import Pool
from shared.errors import DomainError

__all__ = ["Providers", "build_providers"]


@dataclass(frozen=True)
class Providers:
    robokassa: Robokassa | None = None
    uniteller: Uniteller | None = None
    webhook: HmacWebhook | None = None
    sandbox: Sandbox | None = None

    def checkout(self, name: str) -> CheckoutProvider:
        provider: CheckoutProvider | None = getattr(self, name, None)
        if provider is None:
            raise DomainError("top_up.provider_unavailable", f"the payment provider {name!r} is not available")
        return provider

    def charger(self, name: str) -> MethodCharger:
        provider = getattr(self, name, None)
        if provider is None or not getattr(provider, "charges_saved_methods", False):
            raise DomainError("autopay.provider_unsupported",
                              f"the payment provider {name!r} cannot charge a saved payment method")
        charger: MethodCharger = provider
        return charger


def build_providers(settings: PaymentsSettings, pool: Callable[[], Pool], clock: Clock) -> Providers:
    enabled = settings.providers
    return Providers(
        robokassa=Robokassa(
            settings.robokassa_merchant_login, settings.secret("robokassa_password1"),
            settings.secret("robokassa_password2"), settings.robokassa_payment_url, settings.robokassa_test,
        ) if "robokassa" in enabled else None,
        uniteller=Uniteller(
            settings.uniteller_shop_id, settings.secret("uniteller_password"), settings.uniteller_payment_url,
            settings.uniteller_return_url,
        ) if "uniteller" in enabled else None,
        webhook=HmacWebhook(
            settings.secret("webhook_secret"), settings.webhook_checkout_url, settings.webhook_charge_url,
        ) if "webhook" in enabled else None,
        sandbox=Sandbox(settings.secret("sandbox_secret"), settings.public_url, pool, clock,
                        cabinet_url=f"{settings.gateway_url.rstrip('/')}/cabinet")
        if "sandbox" in enabled else None,
    )
