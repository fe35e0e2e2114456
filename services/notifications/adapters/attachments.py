"""Files mailed with a message, fetched from the internal API of the service that holds them (the
invoicing service's documents), once per try: the notifications service never stores them."""

from __future__ import annotations

from collections.abc import Mapping

from services.notifications.domain.outgoing import Attachment, DeliveryFailed
from shared.errors import DomainError
from shared.internal_api import InternalClient

__all__ = ["ServiceAttachments"]


class ServiceAttachments:
    def __init__(self, clients: Mapping[str, InternalClient]) -> None:
        self.clients = clients

    async def fetch(self, ref: Mapping[str, str]) -> Attachment:
        client = self.clients.get(ref.get("service", ""))
        if client is None:
            raise DeliveryFailed(f"attachment: no client for {ref.get('service')!r}", permanent=True)
        try:
            found = await client.file(ref["path"], actor="notifications")
        except DomainError as error:  # 404: the file is gone (permanent); 503 and the like: try later
            raise DeliveryFailed(f"attachment: {error.code}", permanent=error.status == 404) from None
        return Attachment(ref["file_name"], ref.get("content_type") or found.media_type, found.content)

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()
