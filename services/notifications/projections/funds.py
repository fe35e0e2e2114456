"""Each account's money as the service sees it (shared/funds.py, docs/events.md "Money seen the same
way everywhere"): into `account_funds` the opening balance and what payments moved (`credited`) and
the charges invoicing posted (`charged`, once per charge_id); into `fee_forecasts` what invoicing
says each period's fees will come to (FeesForecast: its fee schedule is the only one).
application/funds.py reads them for the end-of-period reminder."""

from __future__ import annotations

from services.notifications.application.context import Notifier
from services.notifications.projections import Apply
from services.notifications.projections import contracts as c
from shared.calendar import month_start
from shared.db import Connection
from shared.funds import movement
from shared.projection import IncomingEvent

__all__ = ["APPLY", "move_funds"]


async def move_funds(conn: Connection, event: IncomingEvent) -> None:
    """What a payments event or a charge moves (shared.funds.movement), a charge once per charge_id."""
    move = movement(event.source, event.event_type, event.payload)
    if move is None:
        return
    account_id = c.AccountEvent.model_validate(event.payload).account_id
    if event.event_type == "ChargePosted" and not await _first_posting(conn, c.ChargePosted.model_validate(
            event.payload)):
        return
    await conn.execute(
        "INSERT INTO account_funds (account_id, credited, charged, updated_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (account_id) DO UPDATE SET credited = account_funds.credited + excluded.credited,"
        " charged = account_funds.charged + excluded.charged, updated_at = excluded.updated_at",
        account_id, move.credited, move.charged, event.occurred_at,
    )


async def _first_posting(conn: Connection, charge: c.ChargePosted) -> bool:
    return bool(await conn.fetchval(
        "INSERT INTO posted_charges (charge_id, account_id, total) VALUES ($1, $2, $3)"
        " ON CONFLICT (charge_id) DO NOTHING RETURNING true",
        charge.charge_id, charge.account_id, charge.total,
    ))


async def _account_opened(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.AccountOpened.model_validate(event.payload)
    await conn.execute(
        "INSERT INTO account_funds (account_id, payment_form, credited, updated_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (account_id) DO UPDATE SET payment_form = excluded.payment_form,"
        " credited = account_funds.credited + excluded.credited, updated_at = excluded.updated_at",
        p.account_id, p.payment_form, p.opening_balance, event.occurred_at,
    )


async def _account_closed(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    await conn.execute(
        "INSERT INTO account_funds (account_id, closed, updated_at) VALUES ($1, true, $2)"
        " ON CONFLICT (account_id) DO UPDATE SET closed = true, updated_at = excluded.updated_at",
        c.AccountEvent.model_validate(event.payload).account_id, event.occurred_at,
    )


async def _funds_moved(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    await move_funds(conn, event)


async def _fees_forecast(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.FeesForecast.model_validate(event.payload)
    # The newest forecast of a period wins (a later one replaces it, an older one is ignored).
    await conn.execute(
        "INSERT INTO fee_forecasts (account_id, period, amount, at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (account_id, period) DO UPDATE SET amount = excluded.amount, at = excluded.at"
        " WHERE fee_forecasts.at <= excluded.at",
        p.account_id, month_start(p.period), p.amount, p.at,
    )


APPLY: dict[str, Apply] = {
    "AccountOpened": _account_opened,
    "AccountClosed": _account_closed,
    "PaymentRegistered": _funds_moved,
    "PaymentReversed": _funds_moved,
    "ChargePosted": _funds_moved,
    "FeesForecast": _fees_forecast,
}
