"""Invoicing's projection of account facts, from billing.accounts.events (and telephony's
`ChannelPackageChanged`, `MobileInternetChanged`, `LinePaused` and `LineResumed` from
billing.telephony.events: the multichannel package and the mobile internet package are charged as
add-ons of their line, the internet package not while the line is paused): what it needs to charge an
account (domain/plan.py), read by the contract (docs/events.md) with models naming only the fields
used here, never the producer's classes.

Each fact changes the account's plan and queues the account for posting (posting_queue), in the
transaction that records the event as applied: the posting worker then posts what became due
(application/posting.py). A redelivered fact is skipped by the projection's tracking, and posting
reconciles, so even a fact applied twice posts nothing new."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from services.invoicing.adapters.tables import PlansTable, PostingQueueTable
from services.invoicing.domain.plan import AccountPlan, AddOnTerm, BlockFacts, TariffTerm
from shared.calendar import local_date
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["AccountPlansProjection"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str


class _AccountOpened(_Fact):
    payment_form: str
    opened_at: datetime


class _ServiceLineAdded(_Fact):
    line_id: str
    kind: str
    identifier: str
    subscriber_name: str
    tariff_id: str
    tariff_name: str
    monthly_fee: Decimal
    vat_rate: Decimal


class _TariffChanged(_Fact):
    line_id: str
    to_tariff_id: str
    tariff_name: str
    monthly_fee: Decimal
    vat_rate: Decimal
    effective_from: date


class _AddOn(_Fact):
    line_id: str
    service_id: str
    name: str
    monthly_fee: Decimal
    on: date


class _BlockScheduled(_Fact):
    block_id: str
    starts_on: date
    ends_on: date
    fee: Decimal = Decimal("0")


class _Block(_Fact):
    block_id: str


class _BlockEnded(_Fact):
    block_id: str
    at: datetime
    early: bool = False


class _ChannelPackageChanged(_Fact):
    """Telephony's fact (billing.telephony.events): a SIP line's multichannel package changed."""

    line_id: str
    name: str
    monthly_fee: Decimal
    effective_at: datetime


#: The multichannel package is charged as an add-on of its line: one package at a time, each
#: prorated for its days of the month (T-4, I-1).
CHANNEL_PACKAGE = "sip-multichannel"


class _MobileInternetChanged(_Fact):
    """Telephony's fact: mobile internet on or off, or its add-on package changed."""

    line_id: str
    enabled: bool
    package: str | None
    at: datetime
    monthly_fee: Decimal | None = None
    paused: bool = False


class _LinePaused(_Fact):
    line_id: str
    at: datetime


class _LineResumed(_Fact):
    line_id: str
    at: datetime
    internet_package: str | None = None
    internet_monthly_fee: Decimal | None = None


#: A mobile line's internet package is charged as its add-on (one at a time, prorated by day); a
#: pause («Пауза») ends it the day it starts, the resume starts the package in force again.
INTERNET_PACKAGE = "mobile-internet-package"


class _AccountClosed(_Fact):
    at: datetime


class _SubscriberRenamed(_Fact):
    line_id: str
    subscriber_name: str
    effective_at: datetime


class AccountPlansProjection:
    name = "invoicing.account_plans"
    topics = (topic_for("accounts"), topic_for("telephony"))
    tables = ("account_plans",)

    def __init__(self, tz: ZoneInfo | None = None) -> None:
        # The ops CLI's rebuild builds projections without arguments: the zone the stack runs in.
        self.tz = tz or ZoneInfo(os.environ.get("BILLING_TIMEZONE", "Europe/Minsk"))
        self.plans = PlansTable()
        self.queue = PostingQueueTable()

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        change = _CHANGES.get(event.event_type)
        if change is None:
            return
        account_id = _Fact.model_validate(event.payload).account_id
        plan = await self.plans.load(conn, account_id, for_update=True) or AccountPlan(account_id=account_id)
        change(self, plan, event)
        await self.plans.save(conn, plan, event.occurred_at)
        await self.queue.add(conn, account_id, event.occurred_at, event.correlation_id)

    def _day(self, instant: datetime) -> date:
        return local_date(instant, self.tz)

    def _opened(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _AccountOpened.model_validate(event.payload)
        plan.open(self._day(fact.opened_at), fact.payment_form)

    def _line_added(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _ServiceLineAdded.model_validate(event.payload)
        on = self._day(event.occurred_at)
        plan.add_line(fact.line_id, fact.kind, fact.identifier, fact.subscriber_name, on,
                      TariffTerm(from_day=on, tariff_id=fact.tariff_id, name=fact.tariff_name,
                                 monthly_fee=fact.monthly_fee, vat_rate=fact.vat_rate))

    def _tariff_changed(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _TariffChanged.model_validate(event.payload)
        plan.change_tariff(fact.line_id, TariffTerm(from_day=fact.effective_from, tariff_id=fact.to_tariff_id,
                                                    name=fact.tariff_name, monthly_fee=fact.monthly_fee,
                                                    vat_rate=fact.vat_rate))

    def _add_on_connected(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _AddOn.model_validate(event.payload)
        plan.connect_add_on(AddOnTerm(line_id=fact.line_id, service_id=fact.service_id, name=fact.name,
                                      monthly_fee=fact.monthly_fee, from_day=fact.on))

    def _add_on_disconnected(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _AddOn.model_validate(event.payload)
        plan.disconnect_add_on(fact.line_id, fact.service_id, fact.on)

    def _block_scheduled(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _BlockScheduled.model_validate(event.payload)
        plan.schedule_block(BlockFacts(block_id=fact.block_id, starts_on=fact.starts_on, ends_on=fact.ends_on,
                                       fee=fact.fee))

    def _block_cancelled(self, plan: AccountPlan, event: IncomingEvent) -> None:
        plan.cancel_block(_Block.model_validate(event.payload).block_id)

    def _block_ended(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _BlockEnded.model_validate(event.payload)
        if fact.early:
            plan.end_block(fact.block_id, self._day(fact.at))

    def _closed(self, plan: AccountPlan, event: IncomingEvent) -> None:
        plan.close(self._day(_AccountClosed.model_validate(event.payload).at))

    def _renamed(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _SubscriberRenamed.model_validate(event.payload)
        plan.rename(fact.line_id, fact.subscriber_name, self._day(fact.effective_at))

    def _channel_package_changed(self, plan: AccountPlan, event: IncomingEvent) -> None:
        """The old package ends the day the new one starts (both prorated within the month)."""
        fact = _ChannelPackageChanged.model_validate(event.payload)
        on = self._day(fact.effective_at)
        plan.disconnect_add_on(fact.line_id, CHANNEL_PACKAGE, on)
        plan.connect_add_on(AddOnTerm(line_id=fact.line_id, service_id=CHANNEL_PACKAGE, name=fact.name,
                                      monthly_fee=fact.monthly_fee, from_day=on))

    def _internet_changed(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _MobileInternetChanged.model_validate(event.payload)
        on = self._day(fact.at)
        plan.disconnect_add_on(fact.line_id, INTERNET_PACKAGE, on)
        if fact.enabled and fact.package is not None and fact.monthly_fee is not None and not fact.paused:
            self._connect_package(plan, fact.line_id, fact.package, fact.monthly_fee, on)

    def _paused(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _LinePaused.model_validate(event.payload)
        plan.disconnect_add_on(fact.line_id, INTERNET_PACKAGE, self._day(fact.at))

    def _resumed(self, plan: AccountPlan, event: IncomingEvent) -> None:
        fact = _LineResumed.model_validate(event.payload)
        if fact.internet_package is not None and fact.internet_monthly_fee is not None:
            self._connect_package(plan, fact.line_id, fact.internet_package, fact.internet_monthly_fee,
                                  self._day(fact.at))

    @staticmethod
    def _connect_package(plan: AccountPlan, line_id: str, package: str, fee: Decimal, on: date) -> None:
        plan.connect_add_on(AddOnTerm(line_id=line_id, service_id=INTERNET_PACKAGE,
                                      name=f"Мобильный интернет, {package}", monthly_fee=fee, from_day=on))

    def _started(self, plan: AccountPlan, event: IncomingEvent) -> None:
        """A block began: its own fee is due today (the plan already knows its days)."""


_CHANGES = {
    "AccountOpened": AccountPlansProjection._opened,
    "ServiceLineAdded": AccountPlansProjection._line_added,
    "TariffChanged": AccountPlansProjection._tariff_changed,
    "AddOnConnected": AccountPlansProjection._add_on_connected,
    "AddOnDisconnected": AccountPlansProjection._add_on_disconnected,
    "BlockScheduled": AccountPlansProjection._block_scheduled,
    "BlockCancelled": AccountPlansProjection._block_cancelled,
    "BlockStarted": AccountPlansProjection._started,
    "BlockEnded": AccountPlansProjection._block_ended,
    "AccountClosed": AccountPlansProjection._closed,
    "SubscriberRenamed": AccountPlansProjection._renamed,
    "ChannelPackageChanged": AccountPlansProjection._channel_package_changed,
    "MobileInternetChanged": AccountPlansProjection._internet_changed,
    "LinePaused": AccountPlansProjection._paused,
    "LineResumed": AccountPlansProjection._resumed,
}
