"""The notifications service's document route through the internal client (the DetailMailer port)."""

from __future__ import annotations

import base64

from shared.internal_api import InternalClient

__all__ = ["NotificationsDetailMailer"]


class NotificationsDetailMailer:
    def __init__(self, client: InternalClient) -> None:
        self.client = client

    async def send_detail(self, order_id: str, email: str, account_id: str, filename: str, content: bytes) -> None:
        await self.client.call("POST", "/internal/v1/deliveries/document", actor="telephony", json={
            "document_id": order_id, "kind": "call_detail", "address": email, "account_ids": [account_id],
            "subject": "Детализация звонков", "text": "Заказанная детализация звонков во вложении.",
            "filename": filename, "content_type": "text/csv", "content_base64": base64.b64encode(content).decode(),
        })
