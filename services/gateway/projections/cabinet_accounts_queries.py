"""Queries of the cabinet's account read models (the tables `cabinet_accounts.py` writes): the
account selector, the account summary (status, balance, lines and tariffs, add-ons, blocks), the
profile, the organization's accounts and subscribers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from services.gateway.projections.cabinet_payments_queries import funds
from services.gateway.projections.page_reads import SESSION_ENDED, AccountRead
from shared.db import Pool
from shared.paging import page_of

__all__ = [
    "BOOKING_LEAD", "account_blocks", "account_in_organization", "account_known", "account_summary", "blocks_section",
    "business_day", "client_requisites", "my_accounts",
    "organization_accounts", "organization_subscribers", "user_profile",
]

_SELECTOR_FIELDS = ("account_id", "contract_number", "status", "client_name")
_SUBSCRIBER_FIELDS = ("line_id", "account_id", "kind", "identifier", "subscriber_name", "tariff_name")
_SUMMARY_HEAD = ("account_id", "contract_number", "client", "organization_id", "payment_form", "opened_at", "status")
_STATUS = (
    "CASE WHEN d.closed_at IS NOT NULL THEN 'closed' WHEN d.financially_blocked THEN 'blocked_financial'"
    " WHEN d.voluntarily_blocked THEN 'blocked_voluntary' ELSE 'active' END"
)


async def my_accounts(pool: Pool, account_ids: Collection[str] | None, limit: int, offset: int, *,
                      organization_id: str | None = None) -> dict[str, Any]:
    """The account selector: these accounts (None: all of them, as an operator sees) and the
    organization's (an organization admin's), by contract."""
    everyone = account_ids is None
    rows = await pool.fetch(
        f"SELECT d.account_id, d.contract_number, {_STATUS} AS status, c.name AS client_name,"
        " count(*) OVER () AS total FROM cabinet_account_directory d"
        " LEFT JOIN cabinet_clients c ON c.client_id = d.client_id"
        " WHERE $1 OR d.account_id = ANY($2::text[]) OR d.organization_id = $5"
        " ORDER BY d.contract_number, d.account_id LIMIT $3 OFFSET $4",
        everyone, sorted(account_ids or ()), limit, offset, organization_id,
    )
    return page_of([dict(r) for r in rows], _SELECTOR_FIELDS, limit=limit, offset=offset)


async def organization_accounts(pool: Pool, organization_id: str) -> frozenset[str]:
    """Every account of the organization: what its admin may see."""
    rows = await pool.fetch(
        "SELECT account_id FROM cabinet_account_directory WHERE organization_id = $1", organization_id
    )
    return frozenset(r["account_id"] for r in rows)


async def account_known(pool: Pool, account_id: str) -> bool:
    """Whether the cabinet knows the account at all: one primary-key read."""
    return bool(await pool.fetchval("SELECT true FROM cabinet_account_directory WHERE account_id = $1", account_id))


async def account_in_organization(pool: Pool, account_id: str, organization_id: str) -> bool:
    """Whether the account belongs to the organization (its admin may see it): one primary-key read."""
    return bool(await pool.fetchval(
        "SELECT true FROM cabinet_account_directory WHERE account_id = $1 AND organization_id = $2",
        account_id, organization_id,
    ))


def business_day(today: date, time_zone: str) -> dict[str, str]:
    """The business date the page was decided on and the operator's time zone it is a date of
    (BILLING_TIMEZONE): "today", "tomorrow", a block's first day, all mean days there."""
    return {"business_date": today.isoformat(), "time_zone": time_zone}


async def account_summary(pool: Pool, account_id: str, today: date, time_zone: str, session_id: str) -> AccountRead:
    """One read by primary keys: the page's row (cabinet_summaries.py) joined with the account's
    funds, the account's organization, and whether the session `session_id` has ended; `today` is
    the business date in the operator's `time_zone`."""
    row = await pool.fetchrow(
        f"SELECT {SESSION_ENDED}, s.organization_id, s.page, s.opening_balance, s.block_terms, s.blocks,"
        " a.balance, a.paid_total, a.promised_outstanding, a.charged, a.updated_at"
        " FROM (SELECT $1::text AS account_id) k"
        " LEFT JOIN cabinet_summaries s ON s.account_id = k.account_id"
        " LEFT JOIN cabinet_accounts a ON a.account_id = k.account_id",
        account_id, session_id,
    )
    assert row is not None  # the FROM is one row whatever the account
    page = row["page"]
    if page is None:
        return AccountRead(row["session_ended"], False, None, None)
    money = funds(row)  # one computation of the money figures for every page (cabinet_payments_queries.py)
    return AccountRead(row["session_ended"], True, row["organization_id"], {
        **{k: page[k] for k in _SUMMARY_HEAD},
        **{k: money[k] for k in ("balance", "available", "promised_outstanding", "charged_total",
                                 "opening_balance")},
        "lines": page["lines"],
        "blocks": blocks_section(row["block_terms"], row["blocks"], today),
        **business_day(today, time_zone),
    })


async def account_blocks(pool: Pool, account_id: str, today: date, time_zone: str) -> dict[str, Any] | None:
    """The blocks page, from the summary's row; None for an unknown account."""
    row = await pool.fetchrow("SELECT block_terms, blocks FROM cabinet_summaries WHERE account_id = $1", account_id)
    if row is None:
        return None
    return {**blocks_section(row["block_terms"], row["blocks"], today), **business_day(today, time_zone)}


#: How far ahead a block may start: the accounts service's rule (its domain/blocks.py MAX_LEAD;
#: tests/gateway/test_blocks_availability.py holds the two equal).
BOOKING_LEAD = timedelta(days=365)


def blocks_section(terms: dict[str, Any] | None, blocks: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """The block template, blocks still available, scheduled/running ones, history: the one place
    the date-dependent part is decided (by `today`, the business date).

    The quota is the accounts service's: so many blocks per calendar year of a block's first day
    (a cancelled one gives its place back). A block may start up to `BOOKING_LEAD` ahead, so in
    the course of a year next year's blocks can be booked too: `available_by_year` counts every
    calendar year a block could still start in, `available` is this year's."""
    last_year = (today + BOOKING_LEAD).year
    used: dict[int, int] = {}
    for block in blocks:
        if block["state"] != "cancelled":
            year = int(block["starts_on"][:4])
            used[year] = used.get(year, 0) + 1
    quota = int(terms["yearly_quota"]) if terms else 0
    by_year = [{"year": year, "available": max(0, quota - used.get(year, 0))}
               for year in range(today.year, last_year + 1)]
    return {
        "terms": terms,
        "available": by_year[0]["available"],
        "available_by_year": by_year,
        "scheduled": [b for b in blocks if b["state"] in ("scheduled", "active")],
        "history": [b for b in blocks if b["state"] in ("ended", "cancelled")],
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


async def client_requisites(pool: Pool, account_id: str) -> dict[str, Any] | None:
    """The client's requisites page of an account (EXTRAS #21, #49), in one read: the client's
    name, tax id (УНП/ОКПО), settlement accounts, legal address, payment form, the contract, how
    and where invoices are delivered, the account's number and opening day, status and funds."""
    row = await pool.fetchrow(
        f"SELECT d.account_id, d.opened_at, d.payment_form, {_STATUS} AS status, c.kind, c.name, c.tax_id,"
        " c.bank_accounts, c.legal_address, c.contract_number, c.contract_date, c.invoice_delivery,"
        " c.invoice_address, d.opening_balance, a.balance, a.paid_total, a.promised_outstanding, a.charged,"
        " a.updated_at"
        " FROM cabinet_account_directory d JOIN cabinet_clients c ON c.client_id = d.client_id"
        " LEFT JOIN cabinet_accounts a ON a.account_id = d.account_id WHERE d.account_id = $1",
        account_id,
    )
    if row is None:
        return None
    return {
        "account_id": row["account_id"], "opened_at": row["opened_at"].isoformat(), "status": row["status"],
        "payment_form": row["payment_form"],
        "client": {"kind": row["kind"], "name": row["name"], "tax_id": row["tax_id"],
                   "bank_accounts": list(row["bank_accounts"]), "legal_address": row["legal_address"]},
        "contract": {"number": row["contract_number"], "date": row["contract_date"].isoformat()},
        "invoice_delivery": {"method": row["invoice_delivery"], "address": row["invoice_address"]},
        "funds": funds(row),
    }
