"""Production accounts and gateway refuse to start without NOTIFICATIONS_URL: SMS login codes and
temporary passwords would silently never be sent, and the cabinet's messages would answer 503."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.accounts.settings import AccountsSettings
from services.gateway.settings import GatewaySettings
from shared.settings import SettingsError, load_settings

BASE = {"database_url": "postgresql://db/billing", "kafka_bootstrap_servers": "kafka:9092"}
PROD = {**BASE, "billing_env": "prod", "internal_api_token": "t" * 32, "gateway_token_secret": "s" * 32}


@pytest.mark.parametrize("settings", [AccountsSettings, GatewaySettings])
@pytest.mark.parametrize("missing", [{}, {"notifications_url": ""}, {"notifications_url": "   "}])
def test_production_without_the_notifications_url_is_refused(
    settings: type[AccountsSettings | GatewaySettings], missing: dict[str, str]
) -> None:
    with pytest.raises(ValidationError, match="NOTIFICATIONS_URL is required when BILLING_ENV=prod"):
        settings(**PROD, **missing)


@pytest.mark.parametrize("settings", [AccountsSettings, GatewaySettings])
def test_the_service_start_names_the_missing_notifications_url(
    settings: type[AccountsSettings | GatewaySettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in PROD.items():
        monkeypatch.setenv(name.upper(), value)
    monkeypatch.delenv("NOTIFICATIONS_URL", raising=False)
    with pytest.raises(SettingsError, match="NOTIFICATIONS_URL"):
        load_settings(settings)
    monkeypatch.setenv("NOTIFICATIONS_URL", "http://notifications:8105")
    assert load_settings(settings).notifications_url == "http://notifications:8105"


def test_outside_production_the_dev_stack_defaults_apply() -> None:
    assert AccountsSettings(**BASE, billing_env="dev").notifications_url is None  # the dev console courier
    assert GatewaySettings(**BASE, billing_env="dev").notifications_api_url == "http://127.0.0.1:8105"
    given = GatewaySettings(**PROD, notifications_url="http://notifications:8105")
    assert given.notifications_api_url == "http://notifications:8105"
