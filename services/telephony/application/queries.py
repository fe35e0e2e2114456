"""The telephony pages the gateway reads: subscriber cards, add-ons, the multichannel package, SIP
settings, mobile internet and call detail. Every query is scoped to the account in its path."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from services.telephony.application.context import Telephony
from services.telephony.application.lines import line_of
from services.telephony.domain.directory import AddOnTerm, TariffTerm, add_ons_on, tariff_on
from services.telephony.domain.line import (
    CHANGE_EVERY,
    CHANNEL_PACKAGES,
    MOBILE_INTERNET_PACKAGES,
    SIP_CONNECTION,
)
from shared.calendar import add_months, first_of_next_month, month_start, start_of_day
from shared.errors import DomainError, NotFound
from shared.money import round_money
from shared.paging import TOTAL, page_of

__all__ = ["EMPTY_DETAIL", "account_lines", "call_detail", "channels_page", "detail_months", "internet_page",
           "line_add_ons", "sip_settings"]

#: Seed 004's empty state of the call detail.
EMPTY_DETAIL = "За выбранный период не было входящего/исходящего трафика."  # noqa: RUF001
MASKED = "********"
Direction = Literal["out", "in", "both"]


def _status(row: Any, today: date) -> str:
    if row["closed_on"] is not None and row["closed_on"] < today:
        return "closed"
    return "paused" if row["paused"] else "active"


async def account_lines(ctx: Telephony, account_id: str, line_id: str | None = None) -> dict[str, Any]:
    """Subscriber cards (seed 004 3.1): number, name, status, tariff, usage charged this month, and the
    remaining free minutes to other networks, only on «SIP-соединение» (absent, not zero, elsewhere)."""
    today = ctx.today()
    period = month_start(today)
    rows = await ctx.pool.fetch(
        "SELECT l.line_id, l.kind, l.identifier, l.subscriber_name, l.tariffs, l.add_ons, l.closed_on,"
        " coalesce(s.paused, false) AS paused, s.channels, coalesce(m.used_s, 0) AS used_s,"
        " (SELECT coalesce(sum(p.net), 0) FROM usage_posts p WHERE p.line_id = l.line_id AND p.day >= $2) AS usage"
        " FROM lines l LEFT JOIN line_months m ON m.line_id = l.line_id AND m.period = $2"
        " LEFT JOIN line_settings s ON s.line_id = l.line_id"
        " WHERE l.account_id = $1 AND ($3::text IS NULL OR l.line_id = $3) ORDER BY l.identifier",
        account_id, period, line_id)
    if line_id is not None and not rows:
        raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
    items = []
    for row in rows:
        tariff = tariff_on([TariffTerm.model_validate(t) for t in row["tariffs"]], today)
        item: dict[str, Any] = {
            "line_id": row["line_id"], "kind": row["kind"], "identifier": row["identifier"],
            "subscriber_name": row["subscriber_name"], "status": _status(row, today),
            "tariff_id": tariff.tariff_id if tariff else None, "tariff_name": tariff.name if tariff else None,
            "usage_this_month": str(round_money(row["usage"])), "channels": row["channels"],
        }
        if tariff is not None and tariff.tariff_id == SIP_CONNECTION:
            add_ons = add_ons_on([AddOnTerm.model_validate(a) for a in row["add_ons"]], today)
            free_s = ctx.plans.bundle_seconds(add_ons)
            item["free_minutes_left"] = max(0, free_s - int(row["used_s"])) // 60
            item["free_minutes_total"] = free_s // 60
        items.append(item)
    return {"account_id": account_id, "period": f"{period:%Y-%m}", "items": items}


async def line_add_ons(ctx: Telephony, account_id: str, line_id: str) -> dict[str, Any]:
    """Seed 004 3.2: «Название услуги | Дата подключения | Статус | Причина статуса | Срок действия пакета»."""
    line = await ctx.pool.fetchrow("SELECT add_ons FROM lines WHERE account_id = $1 AND line_id = $2",
                                   account_id, line_id)
    if line is None:
        raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
    today = ctx.today()
    items = []
    for raw in line["add_ons"]:
        term = AddOnTerm.model_validate(raw)
        active = term.active_on(today)
        bundle = term.service_id in ctx.plans.bundles
        items.append({
            "service_id": term.service_id, "name": term.name,
            "connected_at": term.connected_at.astimezone(ctx.tz).isoformat(),
            "status": "active" if active else ("scheduled" if term.from_day > today else "disconnected"),
            "status_reason": None if active else ("disconnected" if term.until_day else "starts later"),
            "valid_until": (first_of_next_month(today) - timedelta(days=1)).isoformat() if bundle and active
            else (term.until_day.isoformat() if term.until_day else None),
            "self_service": not bundle,
        })
    return {"account_id": account_id, "line_id": line_id, "items": items}


async def channels_page(ctx: Telephony, account_id: str, line_id: str) -> dict[str, Any]:
    row = await ctx.pool.fetchrow("SELECT l.tariffs, s.channels, s.channels_changed_at FROM lines l"
                                  " LEFT JOIN line_settings s ON s.line_id = l.line_id"
                                  " WHERE l.account_id = $1 AND l.line_id = $2", account_id, line_id)
    if row is None:
        raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
    now = ctx.clock.now()
    tariff = tariff_on([TariffTerm.model_validate(t) for t in row["tariffs"]], ctx.today())
    next_change: datetime | None = None
    if row["channels_changed_at"] is not None:
        next_change = row["channels_changed_at"] + CHANGE_EVERY
    current = CHANNEL_PACKAGES.get(row["channels"]) if row["channels"] is not None else None
    return {
        "account_id": account_id, "line_id": line_id,
        "available": tariff is not None and tariff.tariff_id == SIP_CONNECTION,
        "current": None if current is None else {"channels": current.channels, "name": current.name,
                                                 "monthly_fee": str(current.monthly_fee)},
        "next_change_at": next_change.isoformat() if next_change and next_change > now else None,
        "can_change_now": next_change is None or next_change <= now,
        "packages": [{"channels": p.channels, "name": p.name, "monthly_fee": str(p.monthly_fee)}
                     for p in CHANNEL_PACKAGES.values()],
    }


def _spaced(identifier: str) -> str:
    return f"+{identifier[:3]} {identifier[3:5]} {identifier[5:]}"


async def sip_settings(ctx: Telephony, account_id: str, line_id: str, server: str, ip: str) -> dict[str, Any]:
    """Seed 004 3.4; the auth password is never read back: it is shown masked."""
    line = await line_of(ctx, account_id, line_id)
    if line["kind"] != "sip":
        raise DomainError("sip.not_sip", "SIP settings are for SIP lines")
    changed = await ctx.pool.fetchval("SELECT password_changed_at FROM line_settings WHERE line_id = $1", line_id)
    number = _spaced(line["identifier"])
    return {"account_id": account_id, "line_id": line_id, "account_name": line["identifier"], "sip_server": server,
            "sip_user_id": number, "auth_id": number, "auth_password": MASKED, "name": number, "ip_address": ip,
            "password_changed_at": changed.isoformat() if changed else None}


async def internet_page(ctx: Telephony, account_id: str, line_id: str) -> dict[str, Any]:
    row = await ctx.pool.fetchrow(
        "SELECT l.kind, coalesce(s.internet_enabled, true) AS internet_enabled, s.internet_package,"
        " coalesce(s.paused, false) AS paused FROM lines l LEFT JOIN line_settings s ON s.line_id = l.line_id"
        " WHERE l.account_id = $1 AND l.line_id = $2", account_id, line_id)
    if row is None:
        raise NotFound("line.not_found", f"account {account_id} has no line {line_id}")
    if row["kind"] != "mobile":
        raise DomainError("internet.not_mobile", "mobile internet is only for mobile lines")
    return {"account_id": account_id, "line_id": line_id, "enabled": row["internet_enabled"],
            "package": row["internet_package"], "packages": list(MOBILE_INTERNET_PACKAGES), "paused": row["paused"],
            "package_prices": [{"name": name, "monthly_fee": str(fee)}
                               for name, fee in MOBILE_INTERNET_PACKAGES.items()],
            # charged now: the package's price, unless the line is paused («Пауза»: not charged)
            "monthly_fee": (None if row["internet_package"] is None or row["paused"]
                            else str(MOBILE_INTERNET_PACKAGES[row["internet_package"]]))}


def detail_months(today: date) -> list[str]:
    """The current period and the six before it (seed 004 3.6)."""
    return ["current"] + [f"{add_months(month_start(today), -n):%Y-%m}" for n in range(1, 7)]


def detail_bounds(ctx: Telephony, period: str) -> tuple[datetime, datetime]:
    """A period's calls: the current one as of yesterday (S3), a past month whole."""
    today = ctx.today()
    if period == "current":
        return start_of_day(month_start(today), ctx.tz), start_of_day(today, ctx.tz)
    allowed = detail_months(today)
    if period not in allowed:
        raise DomainError("detail.period_out_of_range", "call detail covers the current period and six months back",
                          allowed=allowed)
    first = date.fromisoformat(f"{period}-01")
    return start_of_day(first, ctx.tz), start_of_day(first_of_next_month(first), ctx.tz)


async def call_detail(ctx: Telephony, account_id: str, line_id: str, period: str, direction: Direction,
                      limit: int, offset: int) -> dict[str, Any]:
    await line_of(ctx, account_id, line_id)
    start, end = detail_bounds(ctx, period)
    directions = ["out", "in"] if direction == "both" else [direction]
    rows = await ctx.pool.fetch(
        "SELECT direction, kind, caller, callee, started_at, duration_s, destination, time_class, billed_s, bundle_s,"
        f" net, count(*) OVER () AS {TOTAL} FROM calls WHERE line_id = $1 AND started_at >= $2 AND started_at < $3"
        " AND direction = ANY($4::text[]) ORDER BY started_at DESC, call_id LIMIT $5 OFFSET $6",
        line_id, start, end, directions, limit, offset)
    page = page_of(rows, ("direction", "kind", "caller", "callee", "started_at", "duration_s", "destination",
                          "time_class", "billed_s", "bundle_s", "net"), limit=limit, offset=offset)
    for item in page["items"]:
        item["started_at"] = item["started_at"].astimezone(ctx.tz).isoformat()
        item["net"] = str(item["net"])
    if not rows and offset > 0:
        page["total"] = await ctx.pool.fetchval(
            "SELECT count(*) FROM calls WHERE line_id = $1 AND started_at >= $2 AND started_at < $3"
            " AND direction = ANY($4::text[])", line_id, start, end, directions)
    page.update({"account_id": account_id, "line_id": line_id, "period": period, "direction": direction,
                 "months": detail_months(ctx.today()), "as_of": (end - timedelta(seconds=1)).astimezone(ctx.tz).date()
                 .isoformat(), "empty_text": EMPTY_DETAIL if page["total"] == 0 else None})
    return page
