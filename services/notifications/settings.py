from __future__ import annotations

from datetime import time, timedelta
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from services.notifications.domain.timing import QuietHours, RetryPolicy
from shared.settings import CommonSettings

__all__ = ["NotificationsSettings"]


class NotificationsSettings(CommonSettings):
    notifications_http_port: int = 8105

    #: E-mail goes through this SMTP server (`make run` starts a local sink on 8025).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_from: str = "Личный кабинет <noreply@billing.local>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = Field(default=10.0, gt=0)

    #: SMS go to an HTTP SMS gateway: POST JSON {to, text, sender, reference} with a bearer token.
    sms_gateway_url: str = "http://127.0.0.1:8026/messages"
    sms_gateway_token: SecretStr | None = None
    sms_sender: str = "BILLING"
    sms_timeout_s: float = Field(default=10.0, gt=0)

    #: The invoicing service's internal API: the documents mailed with invoices (issue 11 item 7).
    invoicing_url: str = "http://127.0.0.1:8103"

    #: The currency of amounts (subscribers' time is the common BILLING_TIMEZONE).
    currency: Literal["BYN", "RUB"] = "BYN"
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(9, 0)

    #: Tries per message from events, the first pause (doubling) and the longest one.
    delivery_max_attempts: int = Field(default=5, ge=1, le=50)
    delivery_retry_base_s: float = Field(default=60.0, gt=0)
    delivery_retry_max_s: float = Field(default=3600.0, gt=0)
    #: A one-time secret is tried this many times within the request that carries it.
    secret_attempts: int = Field(default=3, ge=1, le=10)
    secret_retry_pause_s: float = Field(default=0.5, ge=0)

    #: The end-of-period reminder goes this many days before the period ends.
    period_end_reminder_days: int = Field(default=3, ge=1, le=27)
    #: Events older than this on arrival update what the service knows but send nothing (a new
    #: deployment or a reset consumer group reading old history must not message everybody).
    stale_event_after_h: float = Field(default=24.0, gt=0)

    @field_validator("smtp_username", "smtp_password", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _consistent(self) -> NotificationsSettings:
        if self.billing_env == "prod" and not (
            self.sms_gateway_token and self.sms_gateway_token.get_secret_value().strip()
        ):
            raise ValueError("SMS_GATEWAY_TOKEN is required when BILLING_ENV=prod")
        # The next try is scheduled before a try starts: it must not come while that one may still run.
        if self.delivery_retry_base_s <= max(self.smtp_timeout_s, self.sms_timeout_s):
            raise ValueError("DELIVERY_RETRY_BASE_S must be longer than SMTP_TIMEOUT_S and SMS_TIMEOUT_S")
        return self

    @property
    def sms_token(self) -> str:
        return self.sms_gateway_token.get_secret_value() if self.sms_gateway_token else "dev-sms-token"

    @property
    def quiet_hours(self) -> QuietHours:
        return QuietHours(self.quiet_hours_start, self.quiet_hours_end)

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            self.delivery_max_attempts,
            timedelta(seconds=self.delivery_retry_base_s),
            timedelta(seconds=self.delivery_retry_max_s),
        )

    @property
    def stale_after(self) -> timedelta:
        return timedelta(hours=self.stale_event_after_h)
