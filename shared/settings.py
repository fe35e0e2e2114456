"""Typed settings, read once at start from the environment; a bad or missing one stops the
process with its name."""

from __future__ import annotations

from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.forwarded import Network, parse_trusted_proxies

__all__ = ["MIN_SECRET_LENGTH", "CommonSettings", "SettingsError", "load_settings"]

Environment = Literal["dev", "test", "prod"]


#: Shared secrets in production are random strings at least this long.
MIN_SECRET_LENGTH = 32


class SettingsError(SystemExit):
    pass


class CommonSettings(BaseSettings):
    """What every billing process reads."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    billing_env: Environment = "prod"
    database_url: str = Field(min_length=1)
    kafka_bootstrap_servers: str = Field(min_length=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    #: Shared secret of the internal service APIs (the gateway presents it to the services).
    internal_api_token: SecretStr | None = None
    #: Dev only: a file holding the clock offset in seconds (`billing clock advance 3d`).
    dev_clock_file: str | None = None
    #: Kafka consumer group session timeout (the broker's group.min/max.session.timeout.ms bound it).
    kafka_session_timeout_ms: int = Field(default=6000, ge=1000)
    #: Prepended to every topic and consumer group name: several stacks (environments, test runs)
    #: can share one cluster without seeing one another's events.
    kafka_topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$", max_length=100)
    #: Reverse proxies (an Ingress controller) whose `X-Forwarded-For` names the client: IPs and
    #: CIDRs, comma-separated. Empty: nobody's, the peer is the client (shared/forwarded.py).
    trusted_proxies: str = ""
    #: The operator's time zone: billing days, months and periods are its (shared/calendar.py).
    billing_timezone: str = "Europe/Minsk"
    #: Seconds a projection waits for a missing stream version before applying the later ones without it.
    projection_gap_timeout_s: float = Field(default=30.0, gt=0)

    @field_validator("billing_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.billing_timezone)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_trusted_proxies(value)
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_trusted_proxies(self.trusted_proxies)

    @model_validator(mode="after")
    def _secrets_required_outside_dev(self) -> CommonSettings:
        if self.billing_env != "prod":
            return self
        token = self.internal_api_token.get_secret_value() if self.internal_api_token else ""
        if len(token) < MIN_SECRET_LENGTH:
            # An empty token would let a caller sending no header through the guard.
            raise ValueError(f"INTERNAL_API_TOKEN of at least {MIN_SECRET_LENGTH} characters is required"
                             " when BILLING_ENV=prod")
        return self

    @property
    def internal_token(self) -> str:
        if self.internal_api_token is not None:
            return self.internal_api_token.get_secret_value()
        return "dev-internal-token"


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S]) -> S:
    try:
        return cls()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = "_".join(str(p) for p in problem["loc"]).upper() or "settings"
            lines.append(f"  {name}: {problem['msg']}")
        raise SettingsError(f"bad settings for {cls.__name__}:\n" + "\n".join(lines)) from None
