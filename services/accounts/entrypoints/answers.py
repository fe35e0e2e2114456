"""What the accounts service's internal API answers, as its OpenAPI document states it (issue 10,
item 13): documentation only (`responses=answers(...)`, shared/openapi.py); the use cases build
the bodies. Days are "YYYY-MM-DD", instants ISO 8601 with an offset, money decimal strings."""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic documents them from typing_extensions on Python < 3.12

__all__ = [
    "Accepted",
    "AccountClosed",
    "AccountOpened",
    "AddOnChanged",
    "AddOnOptions",
    "AddOnSwitched",
    "BlockChanged",
    "BulkAddOns",
    "Catalogue",
    "Claims",
    "ClaimsChanged",
    "ClientRegistered",
    "CodeSent",
    "CredentialsReset",
    "KnowledgeBase",
    "LineAdded",
    "MobileSettings",
    "MobileSettingsChanged",
    "PreferencesChanged",
    "Profile",
    "ProfileChanged",
    "Renamed",
    "ServicePasswordChanged",
    "SimPage",
    "Subscribers",
    "SupportRequestChanged",
    "SupportRequests",
    "SupportThread",
    "TariffChanged",
    "TvSubscriptionChanged",
    "TvSubscriptions",
    "UserCreated",
]

Role = Literal["subscriber", "org_admin", "operator"]


class _Command(TypedDict):
    """Where the command's events landed (the gateway waits for its read model to show them)."""

    stream_id: str
    stream_version: int
    position: int


class FundsChecked(_Command):
    """The financial block decided on the funds; `funds_seen`: the payments event was counted in time."""

    funds_seen: bool


class ClientRegistered(_Command):
    client_id: str


class AccountOpened(_Command):
    account_id: str
    financially_blocked: bool


class LineAdded(_Command):
    account_id: str
    line_id: str


class AddOnChanged(LineAdded):
    service_id: str


class AccountClosed(_Command):
    account_id: str


class UserCreated(_Command):
    user_id: str
    role: Role
    login: str


class Catalogue(TypedDict):
    version: int
    tariffs: list[dict[str, Any]]


class Claims(TypedDict):
    """Who the user is: what the gateway puts in the access token."""

    user_id: str
    role: Role
    login: str
    account_ids: list[str]
    organization_id: str | None
    must_change_password: bool
    language: str
    contact_phone_missing: bool


class ClaimsChanged(_Command, Claims):
    pass


class Accepted(TypedDict):
    status: Literal["accepted"]


class _ProfileFields(TypedDict):
    full_name: str | None
    contact_phone: str | None
    sms_phone: str | None
    sms_phone_confirmed: bool
    email: str | None
    address: str | None
    language: str
    passport_masked: str | None


class Profile(_ProfileFields):
    user_id: str
    login: str
    role: Role
    account_ids: list[str]
    passport: str | None
    preferences: dict[str, list[Literal["sms", "email"]]]


class ProfileChanged(_Command, _ProfileFields):
    user_id: str


class CodeSent(TypedDict):
    """`sent: false` when the phone is confirmed already."""

    sent: bool
    expires_at: NotRequired[str]
    sms_phone_confirmed: NotRequired[bool]


class PreferencesChanged(_Command):
    user_id: str
    preferences: dict[str, list[Literal["sms", "email"]]]


class BlockChanged(_Command):
    account_id: str
    block_id: str
    starts_on: str
    ends_on: str
    days: int
    fee: str
    state: str


class TariffChanged(_Command):
    account_id: str
    line_id: str
    tariff_id: str
    mode: Literal["next_period", "now"]
    effective_from: str | None


class Subscriber(TypedDict):
    line_id: str
    account_id: str
    kind: str
    identifier: str
    subscriber_name: str | None
    tariff_name: str | None


class Subscribers(TypedDict):
    items: list[Subscriber]
    total: int
    limit: int
    offset: int


class RenamedLine(TypedDict):
    """One rename: where its event landed, or `error`, the code it was refused with alone."""

    account_id: str
    line_id: str
    stream_id: NotRequired[str]
    stream_version: NotRequired[int]
    position: NotRequired[int]
    error: NotRequired[str]


class Renamed(TypedDict):
    renamed: list[RenamedLine]


# -- support requests ---------------------------------------------------------------------------------
SupportStatus = Literal["open", "closed"]


class SupportRequestChanged(_Command):
    request_id: str
    account_id: str
    status: SupportStatus
    messages: int


class SupportRequestItem(TypedDict):
    """`response_time_s`: seconds from filing to the first operator answer (null while unanswered)."""

    request_id: str
    topic: str
    title: str
    status: SupportStatus
    filed_at: str
    updated_at: str
    response_time_s: int | None


class SupportRequests(TypedDict):
    items: list[SupportRequestItem]
    total: int
    limit: int
    offset: int


class SupportMessage(TypedDict):
    message_no: int
    by: Literal["author", "operator"]
    text: str
    at: str


class SupportThread(SupportRequestItem):
    account_id: str
    author_user_id: str
    messages: list[SupportMessage]


class KnowledgePage(TypedDict):
    page_id: str
    title: str
    topic: str
    text: str


class KnowledgeBase(TypedDict):
    pages: list[KnowledgePage]


# -- add-ons from the cabinet ------------------------------------------------------------------------
class AddOnOption(TypedDict):
    service_id: str
    name: str
    monthly_fee: str
    connected: bool
    self_service: bool


class AddOnOptions(TypedDict):
    account_id: str
    line_id: str
    tariff_id: str
    add_ons: list[AddOnOption]


class AddOnSwitched(_Command):
    account_id: str
    line_id: str
    service_id: str
    connected: bool


class BulkChanged(TypedDict):
    account_id: str
    stream_id: str
    stream_version: int
    events: int


class BulkAddOns(TypedDict):
    action: Literal["connect", "disconnect"]
    service_id: str
    lines: int
    changed: list[BulkChanged]


class ServicePasswordChanged(_Command):
    account_id: str
    line_id: str
    kind: Literal["internet", "tv"]
    changed_at: str


class CredentialsReset(TypedDict):
    """Where the temporary password went (masked); the password itself only to the subscriber."""

    user_id: str
    channel: Literal["email", "sms"]
    address_masked: str
    expires_at: str
    stream_id: str
    stream_version: int


# -- TV partner subscriptions ----------------------------------------------------------------------------
class TvPackageOffer(TypedDict):
    service_id: str
    name: str
    partner: Literal["smotreshka", "24tv"]
    monthly_fee: str
    active: bool


class TvSubscriptions(TypedDict):
    account_id: str
    line_id: str
    partner_account: str
    packages: list[TvPackageOffer]


class TvSubscriptionChanged(_Command):
    account_id: str
    line_id: str
    service_id: str
    partner: Literal["smotreshka", "24tv"]
    partner_account: str
    active: bool


# -- mobile extras (seed 003) ------------------------------------------------------------------------------
class _MobileFields(TypedDict):
    """`call_forwarding`: condition (`unconditional`, `busy`, `no_answer`, `unreachable`) -> number."""

    account_id: str
    line_id: str
    closed_user_group: str | None
    call_forwarding: dict[str, str]
    voicemail_plus: bool
    voicemail_copy: str | None


class MobileSettings(_MobileFields):
    pass


class MobileSettingsChanged(_Command, _MobileFields):
    pass


class SimCodesPage(TypedDict):
    pin1: str
    puk1: str
    pin2: str
    puk2: str


class SimPage(TypedDict):
    """`codes`: null until the office records them."""

    account_id: str
    line_id: str
    closed_user_group: str | None
    codes: SimCodesPage | None
