"""The cabinet's accounts, lines, add-ons and blocks, built from billing.accounts.events.

Read by contract (docs/events.md): each model below names only the payload fields the cabinet
uses. Users' events go to `cabinet_users.py`; both are one projection (one consumer group)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.gateway.projections.cabinet_summaries import refresh_summary
from services.gateway.projections.cabinet_users import apply_user_event
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["CabinetAccounts"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Client(_Payload):
    client_id: str
    kind: str
    name: str
    tax_id: str | None = None
    payment_form: str
    contract_number: str
    contract_date: date
    bank_account: str | None = None
    other_bank_accounts: list[str] = []
    legal_address: str | None = None
    invoice_delivery: str | None = None
    invoice_address: str | None = None


class _Opened(_Payload):
    account_id: str
    client_id: str
    organization_id: str | None = None
    contract_number: str
    payment_form: str
    opened_at: datetime
    opening_balance: Decimal = Decimal("0")


class _Line(_Payload):
    account_id: str
    line_id: str
    kind: str
    identifier: str
    subscriber_name: str
    tariff_id: str
    tariff_name: str
    monthly_fee: Decimal
    vat_rate: Decimal
    voluntary_block: dict[str, Any] | None = None


class _TariffChanged(_Payload):
    line_id: str
    to_tariff_id: str
    tariff_name: str
    monthly_fee: Decimal
    vat_rate: Decimal
    effective_from: date
    voluntary_block: dict[str, Any] | None = None


class _AddOn(_Payload):
    account_id: str
    line_id: str
    service_id: str
    name: str
    monthly_fee: Decimal
    on: date


class _Block(_Payload):
    account_id: str
    block_id: str
    starts_on: date | None = None
    ends_on: date | None = None
    days: int = 0
    fee: Decimal = Decimal("0")
    at: datetime | None = None
    early: bool = False


async def _client(conn: Connection, p: _Client, _: IncomingEvent) -> None:
    await conn.execute(
        "INSERT INTO cabinet_clients (client_id, kind, name, tax_id, payment_form, contract_number, contract_date,"
        " bank_accounts, legal_address, invoice_delivery, invoice_address)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (client_id) DO NOTHING",
        p.client_id, p.kind, p.name, p.tax_id, p.payment_form, p.contract_number, p.contract_date,
        [*([p.bank_account] if p.bank_account else []), *p.other_bank_accounts], p.legal_address,
        p.invoice_delivery, p.invoice_address,
    )


async def _opened(conn: Connection, p: _Opened, _: IncomingEvent) -> None:
    await conn.execute(
        "INSERT INTO cabinet_account_directory (account_id, client_id, organization_id, contract_number,"
        " payment_form, opened_at, opening_balance) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (account_id) DO NOTHING",
        p.account_id, p.client_id, p.organization_id, p.contract_number, p.payment_form, p.opened_at,
        p.opening_balance,
    )


async def _line(conn: Connection, p: _Line, event: IncomingEvent) -> None:
    await conn.execute(
        "INSERT INTO cabinet_lines (line_id, account_id, organization_id, kind, identifier, subscriber_name,"
        " tariff_id, tariff_name, monthly_fee, vat_rate, block_terms, added_seq)"
        " SELECT $1, $2, (SELECT organization_id FROM cabinet_account_directory WHERE account_id = $2),"
        " $3, $4, $5, $6, $7, $8, $9, $10, $11 ON CONFLICT (line_id) DO NOTHING",
        p.line_id, p.account_id, p.kind, p.identifier, p.subscriber_name, p.tariff_id, p.tariff_name,
        p.monthly_fee, p.vat_rate, p.voluntary_block, event.stream_version,
    )


async def _tariff(conn: Connection, p: _TariffChanged, _: IncomingEvent) -> None:
    await conn.execute(
        "UPDATE cabinet_lines SET tariff_id = $2, tariff_name = $3, monthly_fee = $4, vat_rate = $5,"
        " tariff_from = $6, block_terms = $7 WHERE line_id = $1",
        p.line_id, p.to_tariff_id, p.tariff_name, p.monthly_fee, p.vat_rate, p.effective_from,
        p.voluntary_block,
    )


async def _add_on(conn: Connection, p: _AddOn, event: IncomingEvent) -> None:
    if event.event_type == "AddOnConnected":
        await conn.execute(
            "INSERT INTO cabinet_add_ons (line_id, service_id, account_id, name, monthly_fee, connected_on)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            p.line_id, p.service_id, p.account_id, p.name, p.monthly_fee, p.on,
        )
    else:
        await conn.execute(
            "UPDATE cabinet_add_ons SET disconnected_on = $3 WHERE line_id = $1 AND service_id = $2"
            " AND disconnected_on IS NULL",
            p.line_id, p.service_id, p.on,
        )


async def _block(conn: Connection, p: _Block, event: IncomingEvent) -> None:
    match event.event_type:
        case "BlockScheduled":
            await conn.execute(
                "INSERT INTO cabinet_blocks (block_id, account_id, starts_on, ends_on, days, fee, state,"
                " scheduled_at) VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7) ON CONFLICT DO NOTHING",
                p.block_id, p.account_id, p.starts_on, p.ends_on, p.days, p.fee, event.occurred_at,
            )
        case "BlockCancelled":
            await conn.execute("UPDATE cabinet_blocks SET state = 'cancelled' WHERE block_id = $1", p.block_id)
        case "BlockStarted":
            await conn.execute("UPDATE cabinet_blocks SET state = 'active', started_at = $2 WHERE block_id = $1",
                               p.block_id, p.at)
            await _flag(conn, p.account_id, "voluntarily_blocked", True)
        case "BlockEnded":
            await conn.execute(
                "UPDATE cabinet_blocks SET state = 'ended', ended_at = $2, early = $3 WHERE block_id = $1",
                p.block_id, p.at, p.early,
            )
            await _flag(conn, p.account_id, "voluntarily_blocked", False)


async def _flag(conn: Connection, account_id: str, column: str, value: bool) -> None:
    assert column in ("voluntarily_blocked", "financially_blocked")
    await conn.execute(f"UPDATE cabinet_account_directory SET {column} = $2 WHERE account_id = $1", account_id, value)


class CabinetAccounts:
    name = "gateway.cabinet_accounts"
    topics = (topic_for("accounts"),)
    #: The tables this projection alone writes (what `billing rebuild` replaces).
    tables = ("cabinet_clients", "cabinet_account_directory", "cabinet_lines", "cabinet_add_ons", "cabinet_blocks",
              "cabinet_users", "cabinet_summaries")

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        """Apply the event to the tables, then refresh the summary row of every account it touched
        (cabinet_summaries.py), in the same transaction."""
        for account_id in await self._apply(conn, event):
            await refresh_summary(conn, account_id)

    async def _apply(self, conn: Connection, event: IncomingEvent) -> list[str]:
        """Apply the event; answer the accounts whose summary it changes."""
        kind, payload = event.event_type, event.payload
        if kind == "ClientRegistered":
            client = _Client.model_validate(payload)
            await _client(conn, client, event)
            rows = await conn.fetch("SELECT account_id FROM cabinet_account_directory WHERE client_id = $1",
                                    client.client_id)
            return [r["account_id"] for r in rows]
        if kind == "AccountOpened":
            opened = _Opened.model_validate(payload)
            await _opened(conn, opened, event)
            return [opened.account_id]
        if kind == "ServiceLineAdded":
            line = _Line.model_validate(payload)
            await _line(conn, line, event)
            return [line.account_id]
        if kind == "TariffChanged":
            change = _TariffChanged.model_validate(payload)
            await _tariff(conn, change, event)
            return await _line_account(conn, change.line_id)
        if kind in ("AddOnConnected", "AddOnDisconnected"):
            add_on = _AddOn.model_validate(payload)
            await _add_on(conn, add_on, event)
            return [add_on.account_id]
        if kind.startswith("Block"):
            block = _Block.model_validate(payload)
            await _block(conn, block, event)
            return [block.account_id]
        if kind in ("FinancialBlockApplied", "FinancialBlockLifted"):
            await _flag(conn, payload["account_id"], "financially_blocked", kind == "FinancialBlockApplied")
            return [payload["account_id"]]
        if kind == "AccountClosed":
            await conn.execute("UPDATE cabinet_account_directory SET closed_at = $2 WHERE account_id = $1",
                               payload["account_id"], datetime.fromisoformat(payload["at"]))
            return [payload["account_id"]]
        if kind == "SubscriberRenamed":
            await conn.execute("UPDATE cabinet_lines SET subscriber_name = $2 WHERE line_id = $1",
                               payload["line_id"], payload["subscriber_name"])
            return await _line_account(conn, payload["line_id"])
        await apply_user_event(conn, event)
        return []


async def _line_account(conn: Connection, line_id: str) -> list[str]:
    account_id = await conn.fetchval("SELECT account_id FROM cabinet_lines WHERE line_id = $1", line_id)
    return [account_id] if account_id is not None else []
