"""Use case: mail an invoice to the addresses its delivery names, with the document attached
(invoicing's `InvoiceMailReady`, issue 11 item 7): one e-mail per address, at most once per
(event, address) as every message; the file is fetched from the invoicing service at each try."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notifications.application.context import Notifier
from services.notifications.application.queueing import queue_message
from services.notifications.domain.catalog import Rule
from services.notifications.domain.events import Language
from services.notifications.domain.formatting import mask_address
from services.notifications.domain.message import MessageDraft
from shared.db import Connection
from shared.eventstore import Metadata

__all__ = ["mail_invoice"]

#: The organization's mailbox has no cabinet language: invoices are in Russian.
LANGUAGE: Language = "ru"


async def mail_invoice(conn: Connection, notifier: Notifier, rule: Rule, payload: dict[str, Any], *,
                       source_event_id: str, metadata: Metadata, now: datetime) -> list[str]:
    account_id = str(payload["account_id"])
    attachment = {"service": rule.source, "file_name": str(payload["file_name"]),
                  "content_type": str(payload["content_type"]),
                  "path": f"/internal/v1/accounts/{account_id}/mailings/{payload['mailing_id']}/document"}
    rendered = notifier.templates.render(rule.template, "email", LANGUAGE, {**payload, "account_id": account_id})
    queued = []
    for address in payload["addresses"]:
        draft = MessageDraft(
            source_event_id=source_event_id, source_event_type=rule.event_type, topic=rule.topic,
            template=rule.template, channel="email", address=address, address_masked=mask_address("email", address),
            language=LANGUAGE, account_ids=(account_id,), user_id=None, urgent=rule.urgent,
            subject=rendered.subject, text=rendered.text, attachment=attachment,
        )
        message_id = await queue_message(conn, notifier, draft, metadata, now)
        if message_id is not None:
            queued.append(message_id)
    return queued
