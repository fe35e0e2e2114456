"""The payments service's local projection of account facts, from billing.accounts.events.

Read by the contract (docs/events.md) with models naming only the fields needed here: when the
account was opened, its payment form and opening balance, its organization and that client's
contract date, its status (closed, blocked), and the monthly fees of its lines and add-ons.

Fees are kept per item (`line:<line>`, `add-on:<line>:<service>`, shared/fees.py) and summed by the
one monthly-fee schedule, shared.fees.period_fees.

One side effect beyond its tables: `AccountClosed` forgets the account's saved payment method and
cancels its pending autopay timers (a closed account keeps no card on file and is never charged)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.payments.adapters.tables import SavedMethodsTable
from services.payments.application.autopay import CHARGE
from services.payments.domain.facts import AccountFacts
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.fees import FeeItem, add_on_item, line_item, period_fees
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


class _ServiceLineAdded(_Fact):
    account_id: str
    line_id: str
    monthly_fee: Decimal


class _TariffChanged(_Fact):
    account_id: str
    line_id: str
    monthly_fee: Decimal
    effective_from: date


class _AddOn(_Fact):
    account_id: str
    line_id: str
    service_id: str
    monthly_fee: Decimal
    on: date


class _AccountEvent(_Fact):
    account_id: str


# Status moves: (event type) -> (new status, the statuses it may move from).
_STATUS = {
    "FinancialBlockApplied": ("blocked_financial", ("active", "blocked_voluntary")),
    "FinancialBlockLifted": ("active", ("blocked_financial",)),
    "BlockStarted": ("blocked_voluntary", ("active",)),
    "BlockEnded": ("active", ("blocked_voluntary",)),
}


class AccountFactsProjection:
    name = "payments.account_facts"
    topics = (topic_for("accounts"),)
    tables = ("account_facts", "client_facts", "account_fees")

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
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
        elif kind == "ServiceLineAdded":
            line = _ServiceLineAdded.model_validate(payload)
            await self._fee(conn, line.account_id, line_item(line.line_id), line.monthly_fee, None)
        elif kind == "TariffChanged":
            await self._tariff_changed(conn, _TariffChanged.model_validate(payload))
        elif kind == "AddOnConnected":
            add_on = _AddOn.model_validate(payload)
            item = add_on_item(add_on.line_id, add_on.service_id)
            await self._fee(conn, add_on.account_id, item, add_on.monthly_fee, add_on.on)
        elif kind == "AddOnDisconnected":
            add_on = _AddOn.model_validate(payload)
            await conn.execute(
                "UPDATE account_fees SET active_until = $3 WHERE account_id = $1 AND item_id = $2",
                add_on.account_id, add_on_item(add_on.line_id, add_on.service_id), add_on.on,
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

    async def _fee(self, conn: Connection, account_id: str, item: str, fee: Decimal, since: date | None) -> None:
        await conn.execute(
            "INSERT INTO account_fees (account_id, item_id, monthly_fee, active_from) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (account_id, item_id) DO UPDATE SET monthly_fee = excluded.monthly_fee,"
            " active_from = excluded.active_from, active_until = NULL, next_fee = NULL, next_from = NULL",
            account_id, item, fee, since,
        )

    async def _tariff_changed(self, conn: Connection, change: _TariffChanged) -> None:
        # A change waiting for its date becomes the fee once a later change arrives.
        await conn.execute(
            "UPDATE account_fees SET"
            " monthly_fee = CASE WHEN next_from IS NOT NULL AND next_from <= $4 THEN next_fee ELSE monthly_fee END,"
            " next_fee = $3, next_from = $4 WHERE account_id = $1 AND item_id = $2",
            change.account_id, line_item(change.line_id), change.monthly_fee, change.effective_from,
        )


class AccountFactsTable:
    """The projection's tables read back for the use cases (application/ports.py AccountFactsSource)."""

    async def load(self, conn: Connection, account_id: str, today: date, next_period: date) -> AccountFacts | None:
        row = await conn.fetchrow(
            "SELECT a.*, c.contract_date FROM account_facts a"
            " LEFT JOIN client_facts c ON c.client_id = coalesce(a.organization_id, a.client_id)"
            " WHERE a.account_id = $1",
            account_id,
        )
        if row is None:
            return None
        fees = [
            FeeItem(monthly_fee=r["monthly_fee"], next_fee=r["next_fee"], next_fee_from=r["next_from"],
                    ends_on=r["active_until"], starts_on=r["active_from"])
            for r in await conn.fetch(
                "SELECT monthly_fee, next_fee, next_from, active_from, active_until FROM account_fees"
                " WHERE account_id = $1", account_id,
            )
        ]
        return AccountFacts(
            account_id=account_id,
            opened_at=row["opened_at"],
            payment_form=row["payment_form"],
            opening_balance=row["opening_balance"],
            monthly_fee=period_fees(fees, today),
            next_period_fee=period_fees(fees, next_period),
            closed=row["status"] == "closed",
            organization_id=row["organization_id"],
            contract_date=row["contract_date"],
        )
