"""The notifications service's settings refuse what would double-send or cannot work."""

from __future__ import annotations

from datetime import time

import pytest

from services.notifications.domain.timing import QuietHours
from services.notifications.settings import NotificationsSettings


def test_settings_refuse_what_would_double_send_or_cannot_work() -> None:
    base = {"database_url": "postgresql://x", "kafka_bootstrap_servers": "k:9092", "billing_env": "dev"}
    with pytest.raises(ValueError, match="DELIVERY_RETRY_BASE_S"):
        NotificationsSettings(**base, delivery_retry_base_s=5, smtp_timeout_s=10)
    with pytest.raises(ValueError, match="SMS_GATEWAY_TOKEN"):
        NotificationsSettings(**{**base, "billing_env": "prod"}, internal_api_token="t" * 32)
    with pytest.raises(ValueError, match="SMS_GATEWAY_TOKEN"):
        NotificationsSettings(**{**base, "billing_env": "prod"}, internal_api_token="t" * 32, sms_gateway_token=" ")
    with pytest.raises(ValueError, match="unknown time zone"):
        NotificationsSettings(**base, billing_timezone="Mars/Olympus")
    dev = NotificationsSettings(**base, smtp_username="", quiet_hours_start="22:00")
    assert dev.smtp_username is None and dev.quiet_hours == QuietHours(time(22), time(9))
