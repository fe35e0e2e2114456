"""What the telephony use cases need from outside, as ports (adapters/ holds the implementations)."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["DetailMailer", "SipSwitch", "UsageRefused", "UsageSink"]


class UsageSink(Protocol):
    """Invoicing's rated-usage route: one charge line per usage_id (a repeat posts nothing)."""

    async def post_usage(self, account_id: str, body: dict[str, Any], idempotency_key: str) -> None: ...


class SipSwitch(Protocol):
    """The switch that keeps SIP credentials: the auth password goes there and nowhere else."""

    async def set_password(self, identifier: str, password: str) -> None: ...


class DetailMailer(Protocol):
    """Hands a call-detail file to the notifications service, which mails it as an attachment
    (once per order id there)."""

    async def send_detail(self, order_id: str, email: str, account_id: str, filename: str, content: bytes) -> None: ...


class UsageRefused(Exception):
    """Invoicing refused a usage line for good (a 4xx with its code, e.g. usage.period_invoiced)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
