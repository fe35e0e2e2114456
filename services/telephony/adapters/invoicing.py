"""Invoicing's rated-usage route through the internal client (the UsageSink port)."""

from __future__ import annotations

from typing import Any

from services.telephony.application.ports import UsageRefused
from shared.internal_api import InternalClient, RemoteError

__all__ = ["InvoicingUsage"]


class InvoicingUsage:
    def __init__(self, client: InternalClient) -> None:
        self.client = client

    async def post_usage(self, account_id: str, body: dict[str, Any], idempotency_key: str) -> None:
        try:
            await self.client.call("POST", f"/internal/v1/accounts/{account_id}/usage", json=body,
                                   actor="telephony", idempotency_key=idempotency_key)
        except RemoteError as error:
            # 409/422: refused for good (e.g. the period is invoiced); 404 may be invoicing's projection
            # not having the account yet: tried again later, as any other failure
            if error.status in (409, 422):
                raise UsageRefused(error.code) from None
            raise
