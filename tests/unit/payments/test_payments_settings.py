"""Provider secrets: dev defaults only outside prod; prod names the one that is missing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.payments.settings import PaymentsSettings

BASE = {"database_url": "postgresql://db/billing", "kafka_bootstrap_servers": "kafka:9092"}


def test_dev_runs_every_provider_on_dev_secrets() -> None:
    settings = PaymentsSettings(billing_env="dev", **BASE)
    assert settings.providers == {"robokassa", "webhook", "sandbox"}
    assert settings.secret("robokassa_password2") == "dev-robokassa-password-2"


def test_prod_requires_each_enabled_providers_secret_and_refuses_the_sandbox() -> None:
    prod = {**BASE, "billing_env": "prod", "internal_api_token": "t" * 32}
    with pytest.raises(ValidationError, match="ROBOKASSA_PASSWORD1 is required"):
        PaymentsSettings(**prod)
    with pytest.raises(ValidationError, match="sandbox provider is not allowed"):
        PaymentsSettings(**prod, payment_providers="sandbox")
    only_webhook = PaymentsSettings(**prod, payment_providers="webhook", webhook_secret="whsec-live")
    assert only_webhook.providers == {"webhook"} and only_webhook.secret("webhook_secret") == "whsec-live"
    with pytest.raises(ValidationError, match="unknown"):
        PaymentsSettings(**BASE, billing_env="dev", payment_providers="paypal")
