from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import FakeClock
from shared.settings import CommonSettings, SettingsError, load_settings


def test_fake_clock_moves_only_forward_when_told() -> None:
    clock = FakeClock(datetime(2026, 1, 31, 23, 0, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(timedelta(hours=2)) == datetime(2026, 2, 1, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))


def test_bad_settings_fail_fast_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://x/y")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError, match="LOG_LEVEL"):
        load_settings(CommonSettings)


def test_production_requires_the_internal_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://x/y")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    monkeypatch.setenv("BILLING_ENV", "prod")
    monkeypatch.delenv("INTERNAL_API_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="INTERNAL_API_TOKEN"):
        load_settings(CommonSettings)
    for weak in ("", "short-token"):
        monkeypatch.setenv("INTERNAL_API_TOKEN", weak)
        with pytest.raises(SettingsError, match="INTERNAL_API_TOKEN"):
            load_settings(CommonSettings)
    strong = "k3Vq9xP2mL7rT4wZ8nB5cD1fG6hJ0sYa"
    monkeypatch.setenv("INTERNAL_API_TOKEN", strong)
    assert load_settings(CommonSettings).internal_token == strong


def test_missing_database_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(CommonSettings)
