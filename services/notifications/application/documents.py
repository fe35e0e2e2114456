"""Use case: an e-mail with a document attached (a call-detail file the cabinet ordered through the
telephony service), queued like any message and sent by the same tries. Once per (sender, document
id): a repeat queues nothing and answers the first message."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.notifications.application.context import Notifier
from services.notifications.application.queueing import queue_message
from services.notifications.domain.events import Language
from services.notifications.domain.formatting import mask_address
from services.notifications.domain.message import MessageDraft
from services.notifications.domain.outgoing import Attachment
from shared.eventstore import Metadata

__all__ = ["DocumentDelivery", "queue_document"]

_DOCUMENTS = uuid.UUID("5f1d2a9e-6c1b-4f0e-9d59-0b6d3c1c7a11")


@dataclass(frozen=True)
class DocumentDelivery:
    document_id: str
    kind: str  # e.g. "call_detail"
    address: str
    language: Language
    account_ids: tuple[str, ...]
    subject: str
    text: str
    attachment: Attachment


async def queue_document(notifier: Notifier, request: DocumentDelivery, metadata: Metadata) -> tuple[str, bool]:
    """(the message id, whether it was queued by this call)."""
    source_id = str(uuid.uuid5(_DOCUMENTS, f"{metadata.actor}:{request.document_id}"))
    draft = MessageDraft(
        source_event_id=source_id, source_event_type=f"document.{request.kind}", topic="documents",
        template=f"document.{request.kind}", channel="email", address=request.address,
        address_masked=mask_address("email", request.address), language=request.language,
        account_ids=request.account_ids, user_id=None, urgent=False, subject=request.subject, text=request.text,
    )
    now = notifier.clock.now()
    async with notifier.pool.acquire() as conn, conn.transaction():
        message_id = await queue_message(conn, notifier, draft, metadata, now)
        if message_id is not None:
            await conn.execute("INSERT INTO delivery_attachments (message_id, filename, content_type, content)"
                               " VALUES ($1, $2, $3, $4)", message_id, request.attachment.file_name,
                               request.attachment.content_type, request.attachment.content)
            return message_id, True
        earlier = await conn.fetchval("SELECT message_id FROM deliveries WHERE source_event_id = $1", source_id)
    return str(earlier), False
