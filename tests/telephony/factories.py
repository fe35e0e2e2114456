"""Builders for the telephony tests: the seed-004 SIP organization and seed-003 mobile numbers as
accounts publishes them, raw CDRs, and a usage sink that keeps what it was given."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from services.telephony.domain.rating import RatingPlans
from services.telephony.projections.lines import LinesProjection
from shared.db import Pool
from shared.projection import IncomingEvent, apply_batch

MINSK = ZoneInfo("Europe/Minsk")
PLANS = RatingPlans.load(Path(__file__).parents[2] / "services/telephony/rating/plans.v1.json")
SIP_ADMIN, SIP_NUMBER, MOBILE = "375170003003", "375170003004", "375291003003"

Event = tuple[str, str, int, dict[str, Any], datetime]


def at(text: str, hour: int = 9, minute: int = 0) -> datetime:
    """A local business day at `hour`, as the fake clock gives it (UTC)."""
    return datetime.combine(date.fromisoformat(text), time(hour, minute), MINSK).astimezone(UTC)


def ev(event_type: str, account_id: str, version: int, occurred: datetime, **payload: Any) -> Event:
    return (event_type, f"account-{account_id}", version, {"account_id": account_id, **payload}, occurred)


def sip_organization(opened: datetime, bundle: bool = True) -> list[Event]:
    """Seed 004: account 3003 with a «SIP-соединение» (with «SIP 3000 минут в другие сети») and a «SIP-номер»."""
    events = [
        ev("AccountOpened", "3003", 1, opened, client_id="org-a1", organization_id="org-a1", contract_number="3003",
           payment_form="postpaid", opened_at=opened.isoformat()),
        ev("ServiceLineAdded", "3003", 2, opened, line_id="sip-375170003003", kind="sip", identifier=SIP_ADMIN,
           subscriber_name="Альфа-Телеком, приёмная", tariff_id="sip-connection", tariff_name="SIP-соединение",
           monthly_fee="66.43", vat_rate="25"),
        ev("ServiceLineAdded", "3003", 3, opened, line_id="sip-375170003004", kind="sip", identifier=SIP_NUMBER,
           subscriber_name="Альфа-Телеком, бухгалтерия", tariff_id="sip-number", tariff_name="SIP-номер",
           monthly_fee="10.00", vat_rate="25"),
    ]
    if bundle:
        events.append(ev("AddOnConnected", "3003", 4, opened, line_id="sip-375170003003", service_id="sip-3000-min",
                         name="SIP 3000 минут в другие сети", monthly_fee="96.26", on=opened.astimezone(MINSK)
                         .date().isoformat()))
    return events


def mobile_account(opened: datetime) -> list[Event]:
    return [
        ev("AccountOpened", "3004", 1, opened, client_id="org-a1", organization_id="org-a1", contract_number="3004",
           payment_form="postpaid", opened_at=opened.isoformat()),
        ev("ServiceLineAdded", "3004", 2, opened, line_id="mob-375291003003", kind="mobile", identifier=MOBILE,
           subscriber_name="Петров Пётр Петрович", tariff_id="mobile-business", tariff_name="Бизнес Безлимит",
           monthly_fee="29.90", vat_rate="25"),
    ]


def incoming(events: list[Event]) -> list[IncomingEvent]:
    return [IncomingEvent(event_id=str(uuid.uuid4()), source="/billing/accounts", event_type=kind, schema_version=1,
                          stream_id=stream, stream_version=version, global_position=None,
                          subject=payload.get("account_id"), occurred_at=occurred, payload=payload,
                          correlation_id=f"test-{uuid.uuid4()}")
            for kind, stream, version, payload, occurred in events]


async def feed_facts(pool: Pool, events: list[Event]) -> int:
    """Apply accounts' events to telephony's projection, as its consumer would."""
    return await apply_batch(pool, LinesProjection(MINSK), incoming(events))


def cdr(call_id: str, caller: str, callee: str, started: datetime, duration_s: int, *, origin: str = "sw-minsk-1",
        kind: str = "call") -> dict[str, Any]:
    return {"origin": origin, "call_id": call_id, "kind": kind, "caller": caller, "callee": callee,
            "started_at": started.isoformat(), "duration_s": duration_s}


class RecordingUsage:
    """Stands in for invoicing's usage route in these tests: keeps each usage_id once, as invoicing
    does (the e2e test posts to the real one)."""

    def __init__(self) -> None:
        self.lines: dict[str, tuple[str, dict[str, Any]]] = {}
        self.calls = 0
        self.fail_next = 0

    async def post_usage(self, account_id: str, body: dict[str, Any], idempotency_key: str) -> None:
        self.calls += 1
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("invoicing away")
        self.lines.setdefault(body["usage_id"], (account_id, body))
