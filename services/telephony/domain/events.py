"""The telephony service's events on `billing.telephony.events` (payloads in docs/events.md).

Calls themselves are not events: they are rows (calls, rated at ingestion) and their charges go to
invoicing as rated usage. Events are the subscriber's decisions on a line. No secret ever: the SIP
password change says only that it changed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shared.events import DomainEvent, registry

__all__ = ["ChannelPackageChanged", "LinePaused", "LineResumed", "MobileInternetChanged", "SipPasswordChanged"]


@registry.register
class ChannelPackageChanged(DomainEvent, type="ChannelPackageChanged", version=1):
    """A SIP-соединение line's multichannel package changed (`from_channels` None: the first one).
    `monthly_fee` is the new package's gross price a month; invoicing prorates both packages."""

    account_id: str
    line_id: str
    from_channels: int | None
    to_channels: int
    name: str  # "SIP-многоканальность 20"
    monthly_fee: Decimal
    from_monthly_fee: Decimal | None
    vat_rate: Decimal
    effective_at: datetime
    next_change_at: datetime


@registry.register
class SipPasswordChanged(DomainEvent, type="SipPasswordChanged", version=1):
    """The SIP auth password was changed and handed to the switch (the secret itself is never here)."""

    account_id: str
    line_id: str
    at: datetime


@registry.register
class MobileInternetChanged(DomainEvent, type="MobileInternetChanged", version=1):
    """Mobile internet switched on or off, or its add-on package changed (`package` None: the tariff's own).
    `monthly_fee` is the package's gross price a month (None: no package, nothing to charge);
    `paused`: the line is paused, so the package is charged only from the day it resumes."""

    account_id: str
    line_id: str
    enabled: bool
    package: str | None
    at: datetime
    monthly_fee: Decimal | None = None
    vat_rate: Decimal = Decimal("25")
    paused: bool = False


@registry.register
class LinePaused(DomainEvent, type="LinePaused", version=1):
    """«Пауза» on: calls are not rated and the internet package is not charged from this day."""

    account_id: str
    line_id: str
    at: datetime


@registry.register
class LineResumed(DomainEvent, type="LineResumed", version=1):
    """«Пауза» off: the internet package in force (None: none) is charged again from this day."""

    account_id: str
    line_id: str
    at: datetime
    internet_package: str | None = None
    internet_monthly_fee: Decimal | None = None
