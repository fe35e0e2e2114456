"""Invoicing's charges in the cabinet's funds: each ChargePosted adds its total to the account's
running charges (`cabinet_accounts.charged`), once per charge_id (`cabinet_posted_charges`), in the
projection gateway.cabinet_payments (the money side of the cabinet). Read by contract: a model of
the payload fields the cabinet needs, never invoicing's classes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from services.gateway.projections.cabinet_balance import move_funds
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["apply_charge_event"]


class _ChargePosted(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str
    charge_id: str
    total: Decimal
    posted_at: datetime


async def apply_charge_event(conn: Connection, event: IncomingEvent) -> None:
    if event.event_type != "ChargePosted":
        return  # FeesForecast, InvoiceIssued: not the funds' business
    charge = _ChargePosted.model_validate(event.payload)
    first = await conn.fetchval(
        "INSERT INTO cabinet_posted_charges (charge_id, account_id, total, posted_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (charge_id) DO NOTHING RETURNING true",
        charge.charge_id, charge.account_id, charge.total, charge.posted_at,
    )
    if first:
        await move_funds(conn, charge.account_id, event.occurred_at, charged=charge.total)
