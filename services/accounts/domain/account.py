"""A personal account (лицевой счёт): its service lines, add-ons, blocks and status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from services.accounts.domain.blocks import VoluntaryBlocks
from services.accounts.domain.client import Client
from services.accounts.domain.events import (
    AccountClosed,
    AccountOpened,
    AddOnConnected,
    AddOnDisconnected,
    BlockTerms,
    CallForwardingChanged,
    ClosedUserGroupChanged,
    FinancialBlockApplied,
    FinancialBlockLifted,
    LineKind,
    ServiceLineAdded,
    ServicePasswordChanged,
    SubscriberRenamed,
    TariffChanged,
    TvSubscriptionActivated,
    TvSubscriptionEnded,
    VoicemailCopyChanged,
)
from services.accounts.domain.mobile import MobileLine
from services.accounts.domain.rules import check_rename_window, check_service_password
from services.accounts.domain.tariffs import AddOn, Tariff
from shared.aggregate import Aggregate
from shared.calendar import first_of_next_month
from shared.errors import Conflict, DomainError, NotFound, ValidationFailed
from shared.events import DomainEvent

__all__ = ["Line", "PersonalAccount", "stream_id_for"]

def stream_id_for(account_id: str) -> str:
    return f"account-{account_id}"


@dataclass(frozen=True)
class Line:
    line_id: str
    kind: LineKind
    identifier: str
    subscriber_name: str
    tariff_id: str
    block_terms: BlockTerms | None
    add_ons: frozenset[str] = frozenset()
    #: Mobile lines (domain/mobile.py): closed user group, call forwarding by condition, voicemail copy.
    closed_user_group: str | None = None
    forwarding: tuple[tuple[str, str], ...] = ()
    voicemail_copy: str | None = None


class PersonalAccount(Aggregate):
    stream_type = "PersonalAccount"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.account_id = stream_id.removeprefix("account-")
        self.opened = False
        self.closed = False
        self.payment_form = "prepaid"
        self.organization_id: str | None = None
        self.financially_blocked = False
        self.lines: dict[str, Line] = {}
        self.blocks = VoluntaryBlocks()

    def apply(self, event: DomainEvent) -> None:
        match event:
            case AccountOpened():
                self.opened = True
                self.payment_form = event.payment_form
                self.organization_id = event.organization_id
            case ServiceLineAdded():
                self.lines[event.line_id] = Line(event.line_id, event.kind, event.identifier,
                                                 event.subscriber_name, event.tariff_id, event.voluntary_block)
            case TariffChanged():
                self._line_update(event.line_id, tariff_id=event.to_tariff_id, block_terms=event.voluntary_block)
            case SubscriberRenamed():
                self._line_update(event.line_id, subscriber_name=event.subscriber_name)
            case AddOnConnected():
                line = self.lines[event.line_id]
                self._line_update(event.line_id, add_ons=line.add_ons | {event.service_id})
            case AddOnDisconnected():
                line = self.lines[event.line_id]
                self._line_update(event.line_id, add_ons=line.add_ons - {event.service_id})
            case ClosedUserGroupChanged():
                self._line_update(event.line_id, closed_user_group=event.group)
            case CallForwardingChanged():
                rules = dict(self.lines[event.line_id].forwarding)
                if event.target is None:
                    rules.pop(event.condition, None)
                else:
                    rules[event.condition] = event.target
                self._line_update(event.line_id, forwarding=tuple(sorted(rules.items())))
            case VoicemailCopyChanged():
                self._line_update(event.line_id, voicemail_copy=event.email)
            case FinancialBlockApplied():
                self.financially_blocked = True
            case FinancialBlockLifted():
                self.financially_blocked = False
            case AccountClosed():
                self.closed = True
            case _:
                self.blocks.apply(event)

    def _line_update(self, line_id: str, **changes: object) -> None:
        self.lines[line_id] = replace(self.lines[line_id], **changes)  # type: ignore[arg-type]

    # -- guards --------------------------------------------------------------------------------
    def _require_open(self) -> None:
        if not self.opened:
            raise NotFound("account.not_found", f"account {self.account_id} not found")
        if self.closed:
            raise DomainError("account.closed", f"account {self.account_id} is closed")

    def line(self, line_id: str) -> Line:
        self._require_open()
        try:
            return self.lines[line_id]
        except KeyError:
            raise NotFound("line.not_found", f"line {line_id} not found on account {self.account_id}") from None

    @property
    def block_terms(self) -> BlockTerms | None:
        """The account's block template: the first line's tariff that offers blocks."""
        return next((line.block_terms for line in self.lines.values() if line.block_terms), None)

    # -- decisions -----------------------------------------------------------------------------
    def open(self, client: Client, opened_at: datetime, opening_balance: Decimal) -> list[DomainEvent]:
        if self.opened:
            raise Conflict("account.exists", f"account {self.account_id} is already open")
        if not client.registered:
            raise NotFound("client.not_found", f"client {client.client_id} is not registered")
        events: list[DomainEvent] = [AccountOpened(
            account_id=self.account_id, client_id=client.client_id,
            organization_id=client.client_id if client.kind == "organization" else None,
            contract_number=client.contract_number, payment_form=client.payment_form,
            opened_at=opened_at, opening_balance=opening_balance,
        )]
        if client.payment_form == "prepaid" and opening_balance < 0:
            events.append(FinancialBlockApplied(account_id=self.account_id, available=opening_balance, at=opened_at))
        return events

    def add_line(self, line_id: str, identifier: str, subscriber_name: str, tariff: Tariff) -> list[DomainEvent]:
        self._require_open()
        if line_id in self.lines:
            raise Conflict("line.exists", f"line {line_id} already exists")
        return [ServiceLineAdded(
            account_id=self.account_id, line_id=line_id, kind=tariff.kind, identifier=identifier,
            subscriber_name=subscriber_name, tariff_id=tariff.tariff_id, tariff_name=tariff.name,
            monthly_fee=tariff.monthly_fee, vat_rate=tariff.vat_rate, voluntary_block=tariff.voluntary_block,
        )]

    def connect_add_on(self, line_id: str, add_on: AddOn, on: date) -> list[DomainEvent]:
        line = self.line(line_id)
        if line.kind not in add_on.kinds:
            raise DomainError("add_on.not_for_line", f"{add_on.name} is not available on a {line.kind} line")
        if add_on.service_id in line.add_ons:
            return []
        return [AddOnConnected(account_id=self.account_id, line_id=line_id, service_id=add_on.service_id,
                               name=add_on.name, monthly_fee=add_on.monthly_fee, on=on)]

    def disconnect_add_on(self, line_id: str, add_on: AddOn, on: date) -> list[DomainEvent]:
        if add_on.service_id not in self.line(line_id).add_ons:
            return []
        return [AddOnDisconnected(account_id=self.account_id, line_id=line_id, service_id=add_on.service_id,
                                  name=add_on.name, monthly_fee=add_on.monthly_fee, on=on)]

    def mobile(self, line_id: str) -> MobileLine:
        line = self.line(line_id)
        return MobileLine(self.account_id, line_id, line.kind, line.add_ons, dict(line.forwarding))

    # A subscriber's own add-on changes (the cabinet): only what the line's tariff lists as
    # self-service; connecting also needs the account out of a financial block.
    def connect_add_on_by_subscriber(self, line_id: str, tariff: Tariff, add_on: AddOn, on: date) -> list[DomainEvent]:
        line = self._self_service(line_id, tariff, add_on)
        if self.financially_blocked:
            raise DomainError("add_on.financially_blocked", "add-ons are connected once the financial block is lifted")
        if add_on.service_id in line.add_ons:
            raise DomainError("add_on.already_connected", f"{add_on.name} is already connected")
        return self.connect_add_on(line_id, add_on, on)

    def disconnect_add_on_by_subscriber(self, line_id: str, tariff: Tariff, add_on: AddOn,
                                        on: date) -> list[DomainEvent]:
        if add_on.service_id not in self._self_service(line_id, tariff, add_on).add_ons:
            raise DomainError("add_on.not_connected", f"{add_on.name} is not connected")
        return self.disconnect_add_on(line_id, add_on, on)

    def _self_service(self, line_id: str, tariff: Tariff, add_on: AddOn) -> Line:
        line = self.line(line_id)
        if tariff.tariff_id != line.tariff_id:
            raise ValueError(f"{tariff.tariff_id} is not the tariff of line {line_id}")
        if line.kind not in add_on.kinds:
            raise DomainError("add_on.not_for_line", f"{add_on.name} is not available on a {line.kind} line")
        if add_on.service_id not in tariff.self_service_add_ons:
            raise DomainError("add_on.not_self_service",
                              f"{add_on.name} is connected and disconnected on {tariff.name} only through the office,"
                              " by a written application")
        return line

    # TV partner subscriptions (TELEPHONY.md T-12): an add-on of a `tv` line with its fee, activated
    # at the partner for the line's partner account.
    def partner_account(self, line_id: str) -> str:
        return f"{self.account_id}-{self.line(line_id).identifier}"

    def activate_tv_subscription(self, line_id: str, tariff: Tariff, package: AddOn, now: datetime,
                                 today: date) -> list[DomainEvent]:
        if package.partner is None or package.partner_package is None:
            raise DomainError("tv.not_a_partner_package", f"{package.name} is not a TV partner's package")
        events = self.connect_add_on_by_subscriber(line_id, tariff, package, today)
        return [*events, TvSubscriptionActivated(
            account_id=self.account_id, line_id=line_id, service_id=package.service_id, partner=package.partner,
            partner_package=package.partner_package, partner_account=self.partner_account(line_id), at=now)]

    def end_tv_subscription(self, line_id: str, tariff: Tariff, package: AddOn, now: datetime,
                            today: date) -> list[DomainEvent]:
        if package.partner is None:
            raise DomainError("tv.not_a_partner_package", f"{package.name} is not a TV partner's package")
        events = self.disconnect_add_on_by_subscriber(line_id, tariff, package, today)
        return [*events, TvSubscriptionEnded(account_id=self.account_id, line_id=line_id,
                                             service_id=package.service_id, partner=package.partner, at=now)]

    def change_service_password(self, line_id: str, password: str, now: datetime) -> list[DomainEvent]:
        """The internet (PPPoE) or TV password of a line: strength rules; the event keeps no secret."""
        line = self.line(line_id)
        if line.kind not in ("internet", "tv"):
            raise DomainError("service_password.not_for_line", f"a {line.kind} line has no service password")
        check_service_password(password, line.identifier)
        return [ServicePasswordChanged(account_id=self.account_id, line_id=line_id, kind=line.kind, at=now)]

    def change_tariff(
        self, line_id: str, current: Tariff, target: Tariff, mode: Literal["next_period", "now"], today: date
    ) -> list[DomainEvent]:
        line = self.line(line_id)
        if target.tariff_id == line.tariff_id:
            raise DomainError("tariff.same", f"the line is already on {target.name}")
        if target.kind != line.kind:
            raise DomainError("tariff.wrong_kind", f"{target.name} is not a {line.kind} tariff")
        if not (current.self_service_change and target.self_service_change):
            raise DomainError("tariff.change_not_allowed", "this tariff can only be changed through the office")
        effective = today if mode == "now" else first_of_next_month(today)
        return [TariffChanged(
            account_id=self.account_id, line_id=line_id, from_tariff_id=line.tariff_id,
            to_tariff_id=target.tariff_id, tariff_name=target.name, monthly_fee=target.monthly_fee,
            vat_rate=target.vat_rate, mode=mode, effective_from=effective, voluntary_block=target.voluntary_block,
        )]

    def rename(self, line_id: str, name: str, now: datetime, today: date) -> list[DomainEvent]:
        line = self.line(line_id)
        name = " ".join(name.split())
        if not 1 <= len(name) <= 120:
            raise ValidationFailed("rename.bad_name", "a subscriber name has 1 to 120 characters")
        check_rename_window(today)
        if name == line.subscriber_name:
            return []
        return [SubscriberRenamed(account_id=self.account_id, line_id=line_id, subscriber_name=name,
                                  effective_at=now)]

    def reconcile_funds(self, available: Decimal, now: datetime, *,
                        overdue_unpaid: Decimal = Decimal("0")) -> list[DomainEvent]:
        """A prepaid account below zero is blocked; back at zero or above, unblocked. `available` is
        the one funds formula (shared/funds.py): payments and promised credit less charges.

        Postpaid accounts («Без предоплаты») are never blocked by their funds or charges: they are
        invoiced after the period, and what suspends one is a regular invoice left unpaid past its
        due date that no payment guarantee covers (invoicing's InvoiceOverdue): `overdue_unpaid`,
        what is still unpaid of those, above zero suspends it; paid, it is resumed."""
        if not self.opened or self.closed:
            return []
        if self.payment_form == "prepaid":
            block, reason = available < 0, "funds"
        else:
            block, reason = overdue_unpaid > 0, "invoice_overdue"
        if block and not self.financially_blocked:
            return [FinancialBlockApplied(account_id=self.account_id, available=available, at=now, reason=reason)]
        if not block and self.financially_blocked:
            return [FinancialBlockLifted(account_id=self.account_id, available=available, at=now)]
        return []

    def close(self, now: datetime) -> list[DomainEvent]:
        self._require_open()
        return [AccountClosed(account_id=self.account_id, at=now)]

    def schedule_block(self, block_id: str, starts_on: date, days: int, today: date) -> list[DomainEvent]:
        self._require_open()
        return self.blocks.schedule(self.account_id, block_id, starts_on, days, terms=self.block_terms,
                                    today=today, financially_blocked=self.financially_blocked)

    def cancel_block(self, block_id: str) -> list[DomainEvent]:
        self._require_open()
        return self.blocks.cancel(self.account_id, block_id)

    def lift_block(self, block_id: str, now: datetime) -> list[DomainEvent]:
        self._require_open()
        return self.blocks.lift(self.account_id, block_id, now)
