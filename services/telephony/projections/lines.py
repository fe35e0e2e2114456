"""Telephony's projection of account facts, from billing.accounts.events: the subscriber lines calls
are matched to (by number), their tariffs and add-ons over time (domain/directory.py), the accounts'
organizations. The line's own settings (package, pause, ...) are the service's decisions, kept
apart in `line_settings`, so a rebuild of these tables loses none of them. Read by the contract
(docs/events.md) with models naming only the fields used here."""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from services.telephony.domain.directory import AddOnTerm, TariffTerm
from shared.calendar import local_date
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["LinesProjection"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str


class _AccountOpened(_Fact):
    organization_id: str | None = None


class _LineAdded(_Fact):
    line_id: str
    kind: str
    identifier: str
    subscriber_name: str
    tariff_id: str
    tariff_name: str


class _TariffChanged(_Fact):
    line_id: str
    to_tariff_id: str
    tariff_name: str
    effective_from: date


class _AddOn(_Fact):
    line_id: str
    service_id: str
    name: str
    on: date


class _Renamed(_Fact):
    line_id: str
    subscriber_name: str


class _Closed(_Fact):
    at: datetime


class LinesProjection:
    name = "telephony.lines"
    topics = (topic_for("accounts"),)
    tables = ("lines", "accounts")

    def __init__(self, tz: ZoneInfo | None = None) -> None:
        self.tz = tz or ZoneInfo(os.environ.get("BILLING_TIMEZONE", "Europe/Minsk"))

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        handler = _HANDLERS.get(event.event_type)
        if handler is not None:
            await handler(self, conn, event)

    async def _opened(self, conn: Connection, event: IncomingEvent) -> None:
        fact = _AccountOpened.model_validate(event.payload)
        await conn.execute("INSERT INTO accounts (account_id, organization_id) VALUES ($1, $2)"
                           " ON CONFLICT (account_id) DO UPDATE SET organization_id = excluded.organization_id",
                           fact.account_id, fact.organization_id)
        await conn.execute("UPDATE lines SET organization_id = $2 WHERE account_id = $1",
                           fact.account_id, fact.organization_id)

    async def _line_added(self, conn: Connection, event: IncomingEvent) -> None:
        fact = _LineAdded.model_validate(event.payload)
        term = TariffTerm(from_day=local_date(event.occurred_at, self.tz), tariff_id=fact.tariff_id,
                          name=fact.tariff_name)
        await conn.execute(
            "INSERT INTO lines (line_id, account_id, organization_id, kind, identifier, subscriber_name, tariffs,"
            " changed_at) VALUES ($1, $2, (SELECT organization_id FROM accounts WHERE account_id = $2), $3, $4, $5,"
            " $6, $7) ON CONFLICT (line_id) DO NOTHING",
            fact.line_id, fact.account_id, fact.kind, fact.identifier, fact.subscriber_name,
            [term.model_dump(mode="json")], event.occurred_at,
        )

    async def _terms(self, conn: Connection, line_id: str, column: str) -> list[dict[str, Any]] | None:
        terms = await conn.fetchval(f"SELECT {column} FROM lines WHERE line_id = $1 FOR UPDATE", line_id)
        return list(terms) if terms is not None else None

    async def _tariff_changed(self, conn: Connection, event: IncomingEvent) -> None:
        fact = _TariffChanged.model_validate(event.payload)
        terms = await self._terms(conn, fact.line_id, "tariffs")
        if terms is None:
            return
        terms = [t for t in terms if t["from_day"] < fact.effective_from.isoformat()]
        terms.append(TariffTerm(from_day=fact.effective_from, tariff_id=fact.to_tariff_id,
                                name=fact.tariff_name).model_dump(mode="json"))
        await conn.execute("UPDATE lines SET tariffs = $2, changed_at = $3 WHERE line_id = $1",
                           fact.line_id, terms, event.occurred_at)

    async def _add_on_connected(self, conn: Connection, event: IncomingEvent) -> None:
        fact = _AddOn.model_validate(event.payload)
        terms = await self._terms(conn, fact.line_id, "add_ons")
        if terms is None:
            return
        terms.append(AddOnTerm(service_id=fact.service_id, name=fact.name, from_day=fact.on,
                               connected_at=event.occurred_at).model_dump(mode="json"))
        await conn.execute("UPDATE lines SET add_ons = $2, changed_at = $3 WHERE line_id = $1",
                           fact.line_id, terms, event.occurred_at)

    async def _add_on_disconnected(self, conn: Connection, event: IncomingEvent) -> None:
        fact = _AddOn.model_validate(event.payload)
        terms = await self._terms(conn, fact.line_id, "add_ons")
        if terms is None:
            return
        for term in terms:
            if term["service_id"] == fact.service_id and term.get("until_day") is None:
                term["until_day"] = fact.on.isoformat()
                term["disconnected_at"] = event.occurred_at.isoformat()
        await conn.execute("UPDATE lines SET add_ons = $2, changed_at = $3 WHERE line_id = $1",
                           fact.line_id, terms, event.occurred_at)

    async def _renamed(self, conn: Connection, event: IncomingEvent) -> None:
        fact = _Renamed.model_validate(event.payload)
        await conn.execute("UPDATE lines SET subscriber_name = $2, changed_at = $3 WHERE line_id = $1",
                           fact.line_id, fact.subscriber_name, event.occurred_at)

    async def _closed(self, conn: Connection, event: IncomingEvent) -> None:
        fact = _Closed.model_validate(event.payload)
        await conn.execute("UPDATE lines SET closed_on = $2, changed_at = $3 WHERE account_id = $1",
                           fact.account_id, local_date(fact.at, self.tz), event.occurred_at)


_HANDLERS = {
    "AccountOpened": LinesProjection._opened,
    "ServiceLineAdded": LinesProjection._line_added,
    "TariffChanged": LinesProjection._tariff_changed,
    "AddOnConnected": LinesProjection._add_on_connected,
    "AddOnDisconnected": LinesProjection._add_on_disconnected,
    "SubscriberRenamed": LinesProjection._renamed,
    "AccountClosed": LinesProjection._closed,
}
