"""The payments service's local projection of account facts, from billing.accounts.events and
billing.invoicing.events.

Read by the contract (docs/events.md) with models naming only the fields needed here: when the
account was opened, its payment form and opening balance, its organization and that client's
contract date, its status (closed, blocked); from invoicing, what the account's fees will come to
per period (FeesForecast: invoicing's fee schedule is the only one) and what it was charged
(ChargePosted, counted once per charge_id, into the funds of shared/funds.py).

A period's fees are its forecast, or else the latest forecast of an earlier period (fees run on
until invoicing forecasts otherwise); none at all is no fee.

One side effect beyond its tables: `AccountClosed` forgets the account's saved payment method and
cancels its pending autopay timers (a closed account keeps no card on file and is never charged)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.payments.adapters.tables import SavedMethodsTable
from services.payments.application.autopay import CHARGE
from services.payments.domain.facts import AccountFacts
from shared.calendar import month_start
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.projection import IncomingEvent
from shared.scheduler import cancel_timers

__all__ = ["AccountFactsProjection", "AccountFactsTable"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _ClientRegistered(_Fact):
    client_id: str
    kind: str
    contract_date: date | None = None


class _AccountOpened(_Fact):
    account_id: str
    client_id: str
    organization_id: str | None = None
    payment_form: str
    opened_at: datetime
    opening_balance: Decimal = Decimal("0.00")


class _AccountEvent(_Fact):
    account_id: str


class _FeesForecast(_AccountEvent):
    period: date
    amount: Decimal
    at: datetime


class _ChargePosted(_AccountEvent):
    charge_id: str
    total: Decimal


# Status moves: (event type) -> (new status, the statuses it may move from).
_STATUS = {
    "FinancialBlockApplied": ("blocked_financial", ("active", "blocked_voluntary")),
    "FinancialBlockLifted": ("active", ("blocked_financial",)),
    "BlockStarted": ("blocked_voluntary", ("active",)),
    "BlockEnded": ("active", ("blocked_voluntary",)),
}


class AccountFactsProjection:
    name = "payments.account_facts"
    topics = (topic_for("accounts"), topic_for("invoicing"))
    tables = ("account_facts", "client_facts", "fee_forecasts", "account_charges", "posted_charges")

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        if event.source == "/billing/invoicing":
            await self._invoicing(conn, event)
            return
        kind, payload = event.event_type, event.payload
        if kind == "ClientRegistered":
            client = _ClientRegistered.model_validate(payload)
            await conn.execute(
                "INSERT INTO client_facts (client_id, kind, contract_date) VALUES ($1, $2, $3)"
                " ON CONFLICT (client_id) DO UPDATE SET kind = excluded.kind, contract_date = excluded.contract_date",
                client.client_id, client.kind, client.contract_date,
            )
        elif kind == "AccountOpened":
            a = _AccountOpened.model_validate(payload)
            await conn.execute(
                "INSERT INTO account_facts (account_id, client_id, organization_id, payment_form, opened_at,"
                " opening_balance) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO NOTHING",
                a.account_id, a.client_id, a.organization_id, a.payment_form, a.opened_at, a.opening_balance,
            )
        elif kind == "AccountClosed":
            account_id = _AccountEvent.model_validate(payload).account_id
            await conn.execute(
                "UPDATE account_facts SET status = 'closed', closed_at = $2 WHERE account_id = $1",
                account_id, event.occurred_at,
            )
            # A closed account keeps no card on file and is never charged again by autopay.
            await SavedMethodsTable().forget(conn, account_id)
            await cancel_timers(conn, CHARGE, event.occurred_at, account_id=account_id)
        elif kind in _STATUS:
            status, moves_from = _STATUS[kind]
            await conn.execute(
                "UPDATE account_facts SET status = $2 WHERE account_id = $1 AND status = ANY($3::text[])",
                _AccountEvent.model_validate(payload).account_id, status, list(moves_from),
            )

    async def _invoicing(self, conn: Connection, event: IncomingEvent) -> None:
        if event.event_type == "FeesForecast":
            forecast = _FeesForecast.model_validate(event.payload)
            # The newest forecast of a period wins (a later one replaces it, an older one is ignored).
            await conn.execute(
                "INSERT INTO fee_forecasts (account_id, period, amount, at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (account_id, period) DO UPDATE SET amount = excluded.amount, at = excluded.at"
                " WHERE fee_forecasts.at <= excluded.at",
                forecast.account_id, month_start(forecast.period), forecast.amount, forecast.at,
            )
        elif event.event_type == "ChargePosted":
            charge = _ChargePosted.model_validate(event.payload)
            first = await conn.fetchval(
                "INSERT INTO posted_charges (charge_id, account_id, total) VALUES ($1, $2, $3)"
                " ON CONFLICT (charge_id) DO NOTHING RETURNING true",
                charge.charge_id, charge.account_id, charge.total,
            )
            if first:
                await conn.execute(
                    "INSERT INTO account_charges (account_id, charged) VALUES ($1, $2) ON CONFLICT (account_id)"
                    " DO UPDATE SET charged = account_charges.charged + excluded.charged",
                    charge.account_id, charge.total,
                )


class AccountFactsTable:
    """The projection's tables read back for the use cases (application/ports.py AccountFactsSource)."""

    async def load(self, conn: Connection, account_id: str, today: date, next_period: date) -> AccountFacts | None:
        row = await conn.fetchrow(
            "SELECT a.*, c.contract_date, coalesce(ch.charged, 0) AS charged,"
            " (SELECT amount FROM fee_forecasts f WHERE f.account_id = a.account_id AND f.period <= $2"
            "  ORDER BY f.period DESC LIMIT 1) AS monthly_fee,"
            " (SELECT amount FROM fee_forecasts f WHERE f.account_id = a.account_id AND f.period <= $3"
            "  ORDER BY f.period DESC LIMIT 1) AS next_period_fee"
            " FROM account_facts a"
            " LEFT JOIN client_facts c ON c.client_id = coalesce(a.organization_id, a.client_id)"
            " LEFT JOIN account_charges ch ON ch.account_id = a.account_id"
            " WHERE a.account_id = $1",
            account_id, month_start(today), month_start(next_period),
        )
        if row is None:
            return None
        return AccountFacts(
            account_id=account_id,
            opened_at=row["opened_at"],
            payment_form=row["payment_form"],
            opening_balance=row["opening_balance"],
            monthly_fee=row["monthly_fee"] or Decimal("0.00"),
            next_period_fee=row["next_period_fee"] or Decimal("0.00"),
            charged=row["charged"],
            closed=row["status"] == "closed",
            organization_id=row["organization_id"],
            contract_date=row["contract_date"],
        )
