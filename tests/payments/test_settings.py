"""Provider secrets: dev defaults only outside prod; prod names the one that is missing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.payments.settings import PaymentsSettings

BASE = {"database_url": "postgresql://db/billing", "kafka_bootstrap_servers": "kafka:9092"}


def test_dev_runs_every_provider_on_dev_secrets() -> None:
    settings = PaymentsSettings(billing_env="dev", **BASE)
    assert settings.providers == {"robokassa", "uniteller", "webhook", "sandbox"}
    assert settings.secret("robokassa_password2") == "dev-robokassa-password-2"


def test_prod_requires_each_enabled_providers_secret_and_refuses_the_sandbox() -> None:
    prod = {**BASE, "billing_env": "prod", "internal_api_token": "t" * 32}
    with pytest.raises(ValidationError, match="ROBOKASSA_PASSWORD1 is required"):
        PaymentsSettings(**prod)
    with pytest.raises(ValidationError, match="sandbox provider is not allowed"):
        PaymentsSettings(**prod, payment_providers="sandbox")
    only_webhook = PaymentsSettings(**prod, payment_providers="webhook", webhook_secret="whsec-live-0123456789")
    assert only_webhook.providers == {"webhook"} and only_webhook.secret("webhook_secret") == "whsec-live-0123456789"
    with pytest.raises(ValidationError, match="unknown"):
        PaymentsSettings(**BASE, billing_env="dev", payment_providers="paypal")


PROD = {**BASE, "billing_env": "prod", "internal_api_token": "t" * 32}
LIVE = {"robokassa_password1": "p1", "robokassa_password2": "p2", "webhook_secret": "whsec-live-0123456789"}


def test_robokassa_test_mode_is_on_by_default_in_dev_only_and_refused_in_prod() -> None:
    assert PaymentsSettings(**BASE, billing_env="dev").robokassa_test is True
    assert PaymentsSettings(**BASE, billing_env="test").robokassa_test is False
    assert PaymentsSettings(**BASE, billing_env="dev", robokassa_test_mode=False).robokassa_test is False
    assert PaymentsSettings(**PROD, **LIVE).robokassa_test is False
    with pytest.raises(ValidationError, match="ROBOKASSA_TEST_MODE is not allowed"):
        PaymentsSettings(**PROD, **LIVE, robokassa_test_mode=True)


@pytest.mark.parametrize(
    ("override", "refusal"),
    [
        ({"webhook_secret": ""}, "WEBHOOK_SECRET is required"),
        ({"webhook_secret": "   "}, "WEBHOOK_SECRET is required"),
        ({"webhook_secret": "whsec-short"}, "WEBHOOK_SECRET must be at least 16 characters"),
        ({"webhook_secret": "dev-webhook-secret"}, "WEBHOOK_SECRET is the dev stand-in"),
        ({"robokassa_password1": ""}, "ROBOKASSA_PASSWORD1 is required"),
        ({"robokassa_password2": " "}, "ROBOKASSA_PASSWORD2 is required"),
    ],
)
def test_prod_refuses_empty_short_or_dev_secrets(override: dict[str, str], refusal: str) -> None:
    with pytest.raises(ValidationError, match=refusal):
        PaymentsSettings(**PROD, **{**LIVE, **override})
