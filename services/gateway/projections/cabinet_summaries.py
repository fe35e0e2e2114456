"""The account summary's read model (`cabinet_summaries`, one row per account), refreshed by the
cabinet_accounts projection in the transaction of every accounts event that touches the account.

The row is rebuilt for that one account from the projection's own tables (directory, client, lines,
add-ons, blocks: a few indexed reads per event, on the write side), so the page is one primary-key
read. What depends on today's date (blocks available per calendar year) is left to the read
(`cabinet_accounts_queries.blocks_section`); the money to the funds formula on read
(`cabinet_payments_queries.funds`)."""

from __future__ import annotations

from typing import Any

from shared.db import Connection

__all__ = ["block_item", "line_item", "refresh_summary"]


def _status(d: Any) -> str:
    if d["closed_at"] is not None:
        return "closed"
    if d["financially_blocked"]:
        return "blocked_financial"
    if d["voluntarily_blocked"]:
        return "blocked_voluntary"
    return "active"


def line_item(line: Any, add_ons: list[Any]) -> dict[str, Any]:
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


def block_item(r: Any) -> dict[str, Any]:
    return {
        "block_id": r["block_id"], "starts_on": r["starts_on"].isoformat(), "ends_on": r["ends_on"].isoformat(),
        "days": r["days"], "fee": str(r["fee"]), "state": r["state"],
        "started_at": r["started_at"].isoformat() if r["started_at"] else None,
        "ended_at": r["ended_at"].isoformat() if r["ended_at"] else None, "early": r["early"],
    }


async def refresh_summary(conn: Connection, account_id: str) -> None:
    """Write the account's summary row from the projection's tables (nothing before AccountOpened)."""
    d = await conn.fetchrow(
        "SELECT d.*, c.name AS client_name, c.kind AS client_kind FROM cabinet_account_directory d"
        " LEFT JOIN cabinet_clients c ON c.client_id = d.client_id WHERE d.account_id = $1",
        account_id,
    )
    if d is None:
        return
    lines = await conn.fetch("SELECT * FROM cabinet_lines WHERE account_id = $1 ORDER BY added_seq", account_id)
    add_ons = await conn.fetch(
        "SELECT * FROM cabinet_add_ons WHERE account_id = $1 ORDER BY connected_on, service_id", account_id
    )
    blocks = await conn.fetch(
        "SELECT * FROM cabinet_blocks WHERE account_id = $1 ORDER BY starts_on DESC, scheduled_at DESC", account_id
    )
    page = {
        "account_id": account_id,
        "contract_number": d["contract_number"],
        "client": {"name": d["client_name"], "kind": d["client_kind"]},
        "organization_id": d["organization_id"],
        "payment_form": d["payment_form"],
        "opened_at": d["opened_at"].isoformat(),
        "status": _status(d),
        "lines": [line_item(line, [a for a in add_ons if a["line_id"] == line["line_id"]]) for line in lines],
    }
    terms = next((line["block_terms"] for line in lines if line["block_terms"] is not None), None)
    await conn.execute(
        "INSERT INTO cabinet_summaries (account_id, organization_id, opening_balance, page, block_terms, blocks)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO UPDATE SET"
        " organization_id = excluded.organization_id, opening_balance = excluded.opening_balance,"
        " page = excluded.page, block_terms = excluded.block_terms, blocks = excluded.blocks",
        account_id, d["organization_id"], d["opening_balance"], page, terms, [block_item(b) for b in blocks],
    )
