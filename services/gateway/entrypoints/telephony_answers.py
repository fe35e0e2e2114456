"""What the cabinet's telephony routes answer (typed for the OpenAPI document only, as answers.py):
the telephony service's internal answers passed through as they are (their shapes are documented
by both services; the gateway never imports the telephony service)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict  # pydantic documents them from typing_extensions on Python < 3.12

__all__ = [
    "CallDetailPage",
    "ChannelsPage",
    "ChannelsReviewPage",
    "DetailOrdered",
    "InternetPackage",
    "LineAddOns",
    "LineChanged",
    "MobileInternet",
    "SipPasswordChanged",
    "SipSettingsPage",
    "SubscriberCards",
]

Money = str
Instant = str












class SubscriberCard(TypedDict):
    line_id: str
    kind: str
    identifier: str
    subscriber_name: str
    status: str
    tariff_id: str | None
    tariff_name: str | None
    usage_this_month: Money
    channels: int | None
    #: Only on «SIP-соединение» (absent, not zero, elsewhere).
    free_minutes_left: NotRequired[int]
    free_minutes_total: NotRequired[int]


class SubscriberCards(TypedDict):
    account_id: str
    period: str
    items: list[SubscriberCard]


class LineAddOn(TypedDict):
    service_id: str
    name: str
    connected_at: Instant
    status: str
    status_reason: str | None
    valid_until: str | None
    self_service: bool


class LineAddOns(TypedDict):
    account_id: str
    line_id: str
    items: list[LineAddOn]


class ChannelPackage(TypedDict):
    channels: int
    name: str
    monthly_fee: Money


class ChannelsPage(TypedDict):
    account_id: str
    line_id: str
    available: bool
    current: ChannelPackage | None
    next_change_at: Instant | None
    can_change_now: bool
    packages: list[ChannelPackage]


class LineChanged(TypedDict):
    stream_id: str
    stream_version: int
    position: int
    account_id: str
    line_id: str
    channels: int | None
    next_change_at: Instant | None
    internet_enabled: bool
    internet_package: str | None
    paused: bool


class SipPasswordChanged(LineChanged):
    #: Only when the server generated the password: shown this once.
    generated_password: NotRequired[str]


class SipSettingsPage(TypedDict):
    account_id: str
    line_id: str
    account_name: str
    sip_server: str
    sip_user_id: str
    auth_id: str
    auth_password: str
    name: str
    ip_address: str
    password_changed_at: Instant | None


class InternetPackage(TypedDict):
    name: str
    #: Gross, VAT 25 %.
    monthly_fee: Money


class MobileInternet(TypedDict):
    account_id: str
    line_id: str
    enabled: bool
    package: str | None
    packages: list[str]
    paused: bool
    package_prices: list[InternetPackage]
    #: What the package costs a month now (gross); None without a package or while paused.
    monthly_fee: Money | None


class CallRecord(TypedDict):
    direction: str
    kind: str
    caller: str
    callee: str
    started_at: Instant
    duration_s: int
    destination: str | None
    time_class: str | None
    billed_s: int
    bundle_s: int
    net: Money


class CallDetailPage(TypedDict):
    account_id: str
    line_id: str
    period: str
    direction: str
    months: list[str]
    as_of: str
    empty_text: str | None
    items: list[CallRecord]
    total: int
    limit: int
    offset: int


class ChannelsReviewPage(TypedDict):
    account_id: str
    line_id: str
    from_channels: int | None
    from_monthly_fee: Money | None
    to_channels: int
    name: str
    monthly_fee: Money
    vat_rate: str
    effective_at: Instant
    next_change_at: Instant





class DetailOrdered(TypedDict):
    order_id: str
    account_id: str
    status: str
    numbers: list[str]
    date_from: str
    date_to: str
    direction: str
    email_masked: str
    repeated: bool
