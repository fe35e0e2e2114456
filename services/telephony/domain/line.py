"""A subscriber line's telephony settings, one stream per line (`tline-<line id>`): its multichannel
package, mobile internet and pause. Pure: `now` comes in as an argument.

Multichannel packages (seed 004, T-4): only on «SIP-соединение»; 5/20/30/145/150 channels at the
seed's gross prices a month (VAT 25 %); a change at most once per 7 days: a change inside them is
refused with the date the next one is possible. Two concurrent changes: both decide on the same
version, one appends, the other re-reads (shared.commands.execute) and is refused by the 7-day rule.

Mobile internet (seed 003, T-9): the tariff's own internet is free to switch on and off; an add-on
package (one of the eight the seed names) costs its monthly price below (the seed gives none: ours,
stated in the README), which invoicing charges as the line's add-on `mobile-internet-package`,
prorated by day.

Pause (seed 003, «Пауза», T-10): while a number is paused its calls are not rated (a CDR of a paused
line goes to the dead letters, `cdr.line_paused`), so it is charged no usage, and its internet package
is not charged (the events carry what invoicing needs: the package ends the day the pause starts and
starts again the day it ends). The seed gives no price for the pause: it is free, and the tariff's
monthly fee runs on (the number is kept; an account's voluntary block is the way to lower fees)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from services.telephony.domain.events import (
    ChannelPackageChanged,
    LinePaused,
    LineResumed,
    MobileInternetChanged,
    SipPasswordChanged,
)
from shared.aggregate import Aggregate
from shared.errors import DomainError
from shared.events import DomainEvent

__all__ = [
    "CHANGE_EVERY",
    "CHANNEL_PACKAGES",
    "CHANNEL_VAT_RATE",
    "INTERNET_VAT_RATE",
    "MOBILE_INTERNET_PACKAGES",
    "SIP_CONNECTION",
    "ChannelPackage",
    "TelephonyLine",
    "stream_id_for",
]

SIP_CONNECTION = "sip-connection"
CHANGE_EVERY = timedelta(days=7)
CHANNEL_VAT_RATE = Decimal("25")


@dataclass(frozen=True)
class ChannelPackage:
    channels: int
    monthly_fee: Decimal  # gross, VAT 25 %

    @property
    def name(self) -> str:
        return f"SIP-многоканальность {self.channels}"


#: Seed 004's prices, stored gross (net 37.96 / 119.31 / 172.46 / 786.41 / 813.54).
CHANNEL_PACKAGES = {p.channels: p for p in (
    ChannelPackage(5, Decimal("47.45")), ChannelPackage(20, Decimal("149.14")), ChannelPackage(30, Decimal("215.58")),
    ChannelPackage(145, Decimal("983.01")), ChannelPackage(150, Decimal("1016.92")),
)}

#: Seed 003's eight mobile internet packages and their gross prices a month (VAT 25 %). The seed
#: names them without prices; these are ours (README, "Mobile lines").
MOBILE_INTERNET_PACKAGES = {
    "Пакет Легкий": Decimal("4.90"), "Пакет 350": Decimal("7.90"), "Пакет 750": Decimal("11.90"),
    "Пакет 1000": Decimal("14.90"), "Пакет 1500": Decimal("18.90"), "Пакет 3000": Decimal("24.90"),
    "Пакет 3000 + voka": Decimal("29.90"), "Пакет 5000 + voka": Decimal("39.90"),
}
INTERNET_VAT_RATE = Decimal("25")


def stream_id_for(line_id: str) -> str:
    return f"tline-{line_id}"


class TelephonyLine(Aggregate):
    stream_type = "telephony_line"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.channels: int | None = None
        self.channels_changed_at: datetime | None = None
        self.internet_enabled = True
        self.internet_package: str | None = None
        self.paused = False
        self.password_changed_at: datetime | None = None

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ChannelPackageChanged():
                self.channels = event.to_channels
                self.channels_changed_at = event.effective_at
            case MobileInternetChanged():
                self.internet_enabled, self.internet_package = event.enabled, event.package
            case LinePaused():
                self.paused = True
            case LineResumed():
                self.paused = False
            case SipPasswordChanged():
                self.password_changed_at = event.at

    def next_change_at(self) -> datetime | None:
        """When the package may change again (None: now)."""
        return None if self.channels_changed_at is None else self.channels_changed_at + CHANGE_EVERY

    def change_channels(self, account_id: str, line_id: str, tariff_id: str, to_channels: int,
                        now: datetime) -> list[DomainEvent]:
        if tariff_id != SIP_CONNECTION:
            raise DomainError("channels.not_sip_connection",
                              "multichannel packages are only for lines on «SIP-соединение»")
        package = CHANNEL_PACKAGES.get(to_channels)
        if package is None:
            raise DomainError("channels.package_unknown", f"no package of {to_channels} channels",
                              allowed=sorted(CHANNEL_PACKAGES))
        if to_channels == self.channels:
            raise DomainError("channels.unchanged", f"the package is already {package.name}")
        allowed = self.next_change_at()
        if allowed is not None and now < allowed:
            raise DomainError("channels.change_too_soon", "the package can change once in 7 days",
                              next_change_at=allowed.isoformat())
        before = CHANNEL_PACKAGES.get(self.channels) if self.channels is not None else None
        return [ChannelPackageChanged(
            account_id=account_id, line_id=line_id, from_channels=self.channels, to_channels=to_channels,
            name=package.name, monthly_fee=package.monthly_fee,
            from_monthly_fee=before.monthly_fee if before else None, vat_rate=CHANNEL_VAT_RATE,
            effective_at=now, next_change_at=now + CHANGE_EVERY,
        )]

    def set_internet(self, account_id: str, line_id: str, kind: str, enabled: bool, package: str | None,
                     now: datetime) -> list[DomainEvent]:
        if kind != "mobile":
            raise DomainError("internet.not_mobile", "mobile internet is only for mobile lines")
        if package is not None and package not in MOBILE_INTERNET_PACKAGES:
            raise DomainError("internet.package_unknown", f"no package {package}",
                              allowed=list(MOBILE_INTERNET_PACKAGES))
        if not enabled and package is not None:
            raise DomainError("internet.package_without_internet", "a package needs mobile internet on")
        if (enabled, package) == (self.internet_enabled, self.internet_package):
            return []
        return [MobileInternetChanged(account_id=account_id, line_id=line_id, enabled=enabled, package=package, at=now,
                                      monthly_fee=self._fee(package), vat_rate=INTERNET_VAT_RATE,
                                      paused=self.paused)]

    @staticmethod
    def _fee(package: str | None) -> Decimal | None:
        return None if package is None else MOBILE_INTERNET_PACKAGES[package]

    def pause(self, account_id: str, line_id: str, kind: str, paused: bool, now: datetime) -> list[DomainEvent]:
        if kind != "mobile":
            raise DomainError("pause.not_mobile", "«Пауза» is for mobile numbers")
        if paused == self.paused:
            return []
        if paused:
            return [LinePaused(account_id=account_id, line_id=line_id, at=now)]
        package = self.internet_package if self.internet_enabled else None
        return [LineResumed(account_id=account_id, line_id=line_id, at=now, internet_package=package,
                            internet_monthly_fee=self._fee(package))]

    def password_changed(self, account_id: str, line_id: str, tariff_kind: str, now: datetime) -> list[DomainEvent]:
        if tariff_kind != "sip":
            raise DomainError("sip.not_sip", "SIP settings are for SIP lines")
        return [SipPasswordChanged(account_id=account_id, line_id=line_id, at=now)]
