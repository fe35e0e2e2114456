"""SMS through an HTTP SMS gateway: a generic JSON API with a bearer token.

POST <url> {"to": "375291234567", "text": "...", "sender": "BILLING", "reference": "<message id>"}
answers 2xx when accepted. Other 4xx than 401, 403, 408 and 429 are a permanent refusal (a bad
number); other answers and network errors are worth another try. The reference lets the gateway drop the rare
duplicate of a retried send."""

from __future__ import annotations

import httpx

from services.notifications.domain.outgoing import DeliveryFailed, Outgoing

__all__ = ["SmsGatewaySender"]

# A bad token is our configuration, not the number: worth retrying once it is fixed.
_RETRYABLE = {401, 403, 408, 429}


class SmsGatewaySender:
    def __init__(self, url: str, token: str, sender: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.sender = sender
        self._http = httpx.AsyncClient(timeout=timeout, headers={"authorization": f"Bearer {token}"})

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, message: Outgoing) -> None:
        body = {"to": message.address, "text": message.text, "sender": self.sender, "reference": message.message_id}
        try:
            response = await self._http.post(self.url, json=body)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"sms gateway: {type(error).__name__}") from None
        if response.is_success:
            return
        status = response.status_code
        raise DeliveryFailed(f"sms gateway: HTTP {status}", permanent=400 <= status < 500 and status not in _RETRYABLE)
