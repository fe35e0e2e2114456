"""Money, dates and addresses as a subscriber reads them, in Russian or English. Pure: no I/O.

Russian: `1 234,50` and the rouble's abbreviation, `22.11.2026`, `22.11.2026 14:30`; English:
`1,234.50 BYN`, `22 Nov 2026`, `22 Nov 2026, 14:30`. Amounts are shown as recorded (events carry
ledger amounts, 2 decimals); anything finer is rounded by the one money helper."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.notifications.domain.events import Channel, Language
from shared.money import round_money

__all__ = ["format_date", "format_datetime", "format_money", "mask_address", "mask_email", "mask_phone"]

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CURRENCY = {"ru": {"BYN": "руб", "RUB": "руб"}}  # noqa: RUF001 - Russian, as seed 000 writes amounts


def format_money(value: Decimal | str | int, language: Language, currency: str) -> str:
    amount = round_money(Decimal(str(value)))
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = f"{int(units):,}"
    if language == "ru":
        label = _CURRENCY["ru"].get(currency, currency)
        return f"{sign}{groups.replace(',', ' ')},{cents} {label}"
    return f"{sign}{groups}.{cents} {currency}"


def format_date(value: date | str, language: Language) -> str:
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if isinstance(day, datetime):
        day = day.date()
    if language == "ru":
        return day.strftime("%d.%m.%Y")
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def format_datetime(value: datetime | str, language: Language, tz: ZoneInfo) -> str:
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = instant.astimezone(tz)
    return f"{format_date(local.date(), language)}{'' if language == 'ru' else ','} {local:%H:%M}"


def mask_phone(phone: str) -> str:
    digits = phone.lstrip("+")
    if len(digits) <= 6:
        return "*" * len(digits)
    return f"{phone[: len(phone) - len(digits) + 5]}{'*' * (len(digits) - 7)}{digits[-2:]}"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_address(channel: Channel, address: str) -> str:
    return mask_phone(address) if channel == "sms" else mask_email(address)
