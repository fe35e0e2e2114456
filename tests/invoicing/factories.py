"""Builders the invoicing tests share: the clock and time zone, plans of accounts as accounts' facts
make them, the charging rules, and the charges aggregate driven like the service drives it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaProducer

from services.invoicing.domain.account import AccountCharges, stream_id_for
from services.invoicing.domain.coverage import desired
from services.invoicing.domain.events import ChargePosted
from services.invoicing.domain.plan import AccountPlan, AddOnTerm, TariffTerm
from services.invoicing.domain.rules import ChargingRules, TariffRule
from services.invoicing.projections.account_plans import AccountPlansProjection
from shared.calendar import month_start
from shared.cloudevents import to_kafka, topic_for
from shared.db import Pool
from shared.eventstore import RecordedEvent
from shared.kafka import ensure_topics
from shared.projection import IncomingEvent, apply_batch
from tests.conftest import KafkaSpace

MINSK = ZoneInfo("Europe/Minsk")
ROOT = Path(__file__).resolve().parents[2]
RULES = ChargingRules.load(ROOT / "services" / "invoicing" / "charging" / "rules.v1.json")
#: Seed 004's SIP prices (gross, VAT 25 %): the plan, the channel package and the add-ons.
SIP_CONNECTION = Decimal("66.43")
MULTICHANNEL = Decimal("81.34")
SHORT_NUMBER = Decimal("86.25")
SIP_3000 = Decimal("96.26")


def day(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str, hour: int = 9) -> datetime:
    """A local business day at `hour`, as the fake clock gives it (UTC)."""
    return datetime.combine(day(text), time(hour), MINSK).astimezone(UTC)


def tariff(from_day: str, fee: str | Decimal = "650.00", tariff_id: str = "inet-50-1m",
           name: str = "Безлимитный 50 Мбит/с, 1 мес", vat: str = "20") -> TariffTerm:
    return TariffTerm(from_day=day(from_day), tariff_id=tariff_id, name=name, monthly_fee=Decimal(fee),
                      vat_rate=Decimal(vat))


def isp_plan(opened: str = "2019-06-01", line_from: str = "2019-06-01", fee: str = "650.00") -> AccountPlan:
    plan = AccountPlan(account_id="1015")
    plan.open(day(opened), "prepaid")
    plan.add_line("inet-1015", "internet", "0_1_15", "Иванов И. Н.", day(line_from), tariff(line_from, fee))
    return plan


def sip_plan(connected: str = "2021-05-05") -> AccountPlan:
    """Seed 004's demo SIP subscriber: "SIP-соединение" with its channel package, the minute bundle
    and the short number, all connected on `connected`."""
    plan = AccountPlan(account_id="3003")
    plan.open(day("2021-01-15"), "postpaid")
    plan.add_line("sip-375170003003", "sip", "375170003003", "Альфа-Телеком, приёмная", day(connected),
                  tariff(connected, SIP_CONNECTION, "sip-connection", "SIP-соединение", "25"))
    for service_id, name, fee in [("sip-3000-min", "SIP 3000 минут в другие сети", SIP_3000),
                                  ("sip-multichannel-5", "SIP-многоканальность", MULTICHANNEL),
                                  ("short-number", "Услуга Короткий номер", SHORT_NUMBER)]:
        plan.connect_add_on(AddOnTerm(line_id="sip-375170003003", service_id=service_id, name=name,
                                      monthly_fee=fee, from_day=day(connected)))
    return plan


def rules_with(**tariffs: TariffRule) -> ChargingRules:
    return RULES.model_copy(update={"tariffs": {**RULES.tariffs, **tariffs}})


class Charges:
    """The charges aggregate of one account, posted to as the service posts: each decision applied."""

    def __init__(self, plan: AccountPlan, rules: ChargingRules = RULES) -> None:
        self.plan, self.rules = plan, rules
        self.aggregate = AccountCharges(stream_id_for(plan.account_id))
        self.posted: list[ChargePosted] = []

    def post(self, now: datetime, period: date | None = None, *, closing: bool = False) -> list[ChargePosted]:
        today = now.astimezone(MINSK).date()
        first = period or month_start(today)
        wanted = desired(self.plan, self.rules, first, today, whole_period=closing)
        lines = self.aggregate.post_charges(first, wanted, now)
        self.aggregate.replay(lines)
        self.posted += lines
        return lines

    def net(self, period: date) -> Decimal:
        return self.aggregate.period_totals(period).net

    def total(self, period: date) -> Decimal:
        return self.aggregate.period_totals(period).total


# -- billing.accounts.events, in their documented shape (docs/events.md) ------------------------
Event = tuple[str, str, int, dict[str, Any], datetime]  # (type, stream id, version, payload, occurred at)


def opened_isp_account(account_id: str, opened: datetime, *, fee: str = "650.00",
                       payment_form: str = "prepaid") -> list[Event]:
    """An account opened at `opened` with one internet line added at the same moment."""
    return [
        ("AccountOpened", f"account-{account_id}", 1, {
            "account_id": account_id, "client_id": f"c{account_id}", "organization_id": None,
            "contract_number": account_id, "payment_form": payment_form, "opened_at": opened.isoformat(),
            "opening_balance": "0.00"}, opened),
        ("ServiceLineAdded", f"account-{account_id}", 2, {
            "account_id": account_id, "line_id": f"inet-{account_id}", "kind": "internet",
            "identifier": f"0_{account_id}", "subscriber_name": f"Абонент {account_id}", "tariff_id": "inet-50-1m",
            "tariff_name": "Безлимитный 50 Мбит/с, 1 мес", "monthly_fee": fee, "vat_rate": "20",
            "voluntary_block": None}, opened),
    ]


def account_event(event_type: str, account_id: str, version: int, occurred: datetime, **payload: Any) -> Event:
    return (event_type, f"account-{account_id}", version, {"account_id": account_id, **payload}, occurred)


def incoming(events: list[Event]) -> list[IncomingEvent]:
    return [IncomingEvent(event_id=str(uuid.uuid4()), source="/billing/accounts", event_type=kind, schema_version=1,
                          stream_id=stream, stream_version=version, global_position=None,
                          subject=payload.get("account_id"), occurred_at=occurred, payload=payload,
                          correlation_id=f"test-{uuid.uuid4()}")
            for kind, stream, version, payload, occurred in events]


async def feed_facts(pool: Pool, events: list[Event]) -> int:
    """Apply accounts' events to the invoicing service's projection, as its consumer would."""
    return await apply_batch(pool, AccountPlansProjection(MINSK), incoming(events))


async def publish_account_events(kafka: KafkaSpace, events: list[Event]) -> None:
    """Put accounts' events on billing.accounts.events as the accounts relay would (CloudEvents)."""
    topic = kafka.topic(topic_for("accounts"))
    await ensure_topics(kafka.bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    try:
        for position, (kind, stream, version, payload, occurred) in enumerate(events, start=1):
            recorded = RecordedEvent(
                global_position=position, stream_id=stream, stream_type="account", stream_version=version,
                event_id=uuid.uuid4(), event_type=kind, schema_version=1, partition_key=payload.get("account_id"),
                payload=payload, metadata={"correlation_id": f"test-{uuid.uuid4()}"}, occurred_at=occurred,
                recorded_at=occurred,
            )
            key, value, headers = to_kafka("accounts", recorded)
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


def seed_004_sip_subscriber(connected: datetime) -> list[Event]:
    """The demo SIP subscriber of seed 004 as accounts' events tell it: account 3003 with the
    "SIP-соединение" line, its channel package, minute bundle and short number from `connected`."""
    on = connected.astimezone(MINSK).date().isoformat()
    line = "sip-375170003003"
    add_ons = [("sip-3000-min", "SIP 3000 минут в другие сети", SIP_3000),
               ("sip-multichannel-5", "SIP-многоканальность", MULTICHANNEL),
               ("short-number", "Услуга Короткий номер", SHORT_NUMBER)]
    return [
        account_event("AccountOpened", "3003", 1, at("2021-01-15"), client_id="org-a1", organization_id="org-a1",
                      contract_number="3003", payment_form="postpaid", opened_at=at("2021-01-15").isoformat(),
                      opening_balance="0.00"),
        account_event("ServiceLineAdded", "3003", 2, connected, line_id=line, kind="sip", identifier="375170003003",
                      subscriber_name="Альфа-Телеком, приёмная", tariff_id="sip-connection",
                      tariff_name="SIP-соединение", monthly_fee=str(SIP_CONNECTION), vat_rate="25",
                      voluntary_block=None),
        *[account_event("AddOnConnected", "3003", 3 + n, connected, line_id=line, service_id=service_id, name=name,
                        monthly_fee=str(fee), on=on) for n, (service_id, name, fee) in enumerate(add_ons)],
    ]
