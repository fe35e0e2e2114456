"""Queries of the cabinet's account read models (the tables `cabinet_accounts.py` writes): the
account selector, the account summary (status, balance, lines and tariffs, add-ons, blocks), the
profile, the organization's accounts and subscribers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from services.gateway.projections.cabinet_payments_queries import account_balance
from shared.db import Pool
from shared.paging import page_of

__all__ = [
    "account_blocks", "account_summary", "my_accounts", "organization_accounts", "organization_subscribers",
    "user_profile",
]

_SELECTOR_FIELDS = ("account_id", "contract_number", "status", "client_name")
_SUBSCRIBER_FIELDS = ("line_id", "account_id", "kind", "identifier", "subscriber_name", "tariff_name")
_STATUS = (
    "CASE WHEN d.closed_at IS NOT NULL THEN 'closed' WHEN d.financially_blocked THEN 'blocked_financial'"
    " WHEN d.voluntarily_blocked THEN 'blocked_voluntary' ELSE 'active' END"
)


async def my_accounts(pool: Pool, account_ids: Collection[str] | None, limit: int, offset: int) -> dict[str, Any]:
    """The account selector: these accounts (None: all of them, as an operator sees), by contract."""
    everyone = account_ids is None
    rows = await pool.fetch(
        f"SELECT d.account_id, d.contract_number, {_STATUS} AS status, c.name AS client_name,"
        " count(*) OVER () AS total FROM cabinet_account_directory d"
        " LEFT JOIN cabinet_clients c ON c.client_id = d.client_id"
        " WHERE $1 OR d.account_id = ANY($2::text[]) ORDER BY d.contract_number, d.account_id LIMIT $3 OFFSET $4",
        everyone, sorted(account_ids or ()), limit, offset,
    )
    return page_of([dict(r) for r in rows], _SELECTOR_FIELDS, limit=limit, offset=offset)


async def organization_accounts(pool: Pool, organization_id: str) -> frozenset[str]:
    """Every account of the organization: what its admin may see."""
    rows = await pool.fetch(
        "SELECT account_id FROM cabinet_account_directory WHERE organization_id = $1", organization_id
    )
    return frozenset(r["account_id"] for r in rows)


async def account_summary(pool: Pool, account_id: str, today: date) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f"SELECT d.*, {_STATUS} AS status, c.name AS client_name, c.kind AS client_kind"
        " FROM cabinet_account_directory d LEFT JOIN cabinet_clients c ON c.client_id = d.client_id"
        " WHERE d.account_id = $1",
        account_id,
    )
    if row is None:
        return None
    funds = await account_balance(pool, account_id)
    assert funds is not None  # the directory row above makes the account known
    lines = await pool.fetch("SELECT * FROM cabinet_lines WHERE account_id = $1 ORDER BY added_seq", account_id)
    add_ons = await pool.fetch(
        "SELECT * FROM cabinet_add_ons WHERE account_id = $1 ORDER BY connected_on, service_id", account_id
    )
    return {
        "account_id": account_id,
        "contract_number": row["contract_number"],
        "client": {"name": row["client_name"], "kind": row["client_kind"]},
        "organization_id": row["organization_id"],
        "payment_form": row["payment_form"],
        "opened_at": row["opened_at"].isoformat(),
        "status": row["status"],
        # One computation of the money figures for every page (cabinet_payments_queries.py).
        **{k: funds[k] for k in ("balance", "available", "promised_outstanding", "opening_balance")},
        "lines": [_line(line, [a for a in add_ons if a["line_id"] == line["line_id"]]) for line in lines],
        "blocks": await account_blocks(pool, account_id, today),
    }


def _line(line: Any, add_ons: list[Any]) -> dict[str, Any]:
    return {
        "line_id": line["line_id"], "kind": line["kind"], "identifier": line["identifier"],
        "subscriber_name": line["subscriber_name"],
        "tariff": {"tariff_id": line["tariff_id"], "name": line["tariff_name"],
                   "monthly_fee": str(line["monthly_fee"]), "vat_rate": str(line["vat_rate"]),
                   "effective_from": line["tariff_from"].isoformat() if line["tariff_from"] else None},
        "add_ons": [{"service_id": a["service_id"], "name": a["name"], "monthly_fee": str(a["monthly_fee"]),
                     "connected_on": a["connected_on"].isoformat(),
                     "disconnected_on": a["disconnected_on"].isoformat() if a["disconnected_on"] else None,
                     "status": "disconnected" if a["disconnected_on"] else "connected"} for a in add_ons],
    }


async def account_blocks(pool: Pool, account_id: str, today: date) -> dict[str, Any]:
    """The block template, blocks still available this year, scheduled/running ones, history."""
    terms = await pool.fetchval(
        "SELECT block_terms FROM cabinet_lines WHERE account_id = $1 AND block_terms IS NOT NULL"
        " ORDER BY added_seq LIMIT 1",
        account_id,
    )
    rows = await pool.fetch(
        "SELECT * FROM cabinet_blocks WHERE account_id = $1 ORDER BY starts_on DESC, scheduled_at DESC", account_id
    )
    used = sum(1 for r in rows if r["state"] != "cancelled" and r["starts_on"].year == today.year)
    items = [_block(r) for r in rows]
    return {
        "terms": terms,
        "available": max(0, int(terms["yearly_quota"]) - used) if terms else 0,
        "scheduled": [b for b in items if b["state"] in ("scheduled", "active")],
        "history": [b for b in items if b["state"] in ("ended", "cancelled")],
    }


def _block(r: Any) -> dict[str, Any]:
    return {
        "block_id": r["block_id"], "starts_on": r["starts_on"].isoformat(), "ends_on": r["ends_on"].isoformat(),
        "days": r["days"], "fee": str(r["fee"]), "state": r["state"],
        "started_at": r["started_at"].isoformat() if r["started_at"] else None,
        "ended_at": r["ended_at"].isoformat() if r["ended_at"] else None, "early": r["early"],
    }


async def user_profile(pool: Pool, user_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM cabinet_users WHERE user_id = $1", user_id)
    if row is None:
        return None
    data = {k: row[k] for k in ("user_id", "role", "login", "organization_id", "full_name", "contact_phone",
                                "sms_phone", "sms_phone_confirmed", "email", "address", "language",
                                "passport_masked", "preferences")}
    return {**data, "account_ids": list(row["account_ids"])}


async def organization_subscribers(pool: Pool, organization_id: str, *, number: str | None,
                                   account_id: str | None, limit: int, offset: int) -> dict[str, Any]:
    """By number with `%` (any digits) and `_` (one digit), by account, or all (seeds 003, 004)."""
    rows = await pool.fetch(
        "SELECT line_id, account_id, kind, identifier, subscriber_name, tariff_name, count(*) OVER () AS total"
        " FROM cabinet_lines WHERE organization_id = $1 AND ($2::text IS NULL OR identifier LIKE $2)"
        " AND ($3::text IS NULL OR account_id = $3) ORDER BY identifier, line_id LIMIT $4 OFFSET $5",
        organization_id, number, account_id, limit, offset,
    )
    return page_of([dict(r) for r in rows], _SUBSCRIBER_FIELDS, limit=limit, offset=offset)
