"""Use case: tell an account's subscribers that something happened, by the rule for it.

Each recipient gets the message on the channels the rule and their preferences allow, in their
language, at each address they have for it; at most one message per (event, channel, address)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notifications.application.context import Notifier
from services.notifications.application.queueing import queue_message
from services.notifications.application.recipients import recipient, recipients_for
from services.notifications.domain.catalog import Rule, channels_for
from services.notifications.domain.formatting import mask_address
from services.notifications.domain.message import MessageDraft
from shared.db import Connection
from shared.eventstore import Metadata

__all__ = ["notify_account"]


async def notify_account(
    conn: Connection,
    notifier: Notifier,
    rule: Rule,
    account_id: str,
    context: dict[str, Any],
    *,
    source_event_id: str,
    metadata: Metadata,
    now: datetime,
    only_user: str | None = None,
) -> list[str]:
    """Queue the messages; return the ids of those queued now (none for a repeat). With
    `only_user`, that user alone, found by id (an organization admin's own request: the admin's
    account list need not name the account)."""
    queued: list[str] = []
    if only_user is not None:
        found = await recipient(conn, only_user)
        recipients = [found] if found is not None else []
    else:
        recipients = await recipients_for(conn, account_id)
    for person in recipients:
        for channel in channels_for(rule, person.preferences):
            address = person.address(channel)
            if not address:
                continue
            rendered = notifier.templates.render(
                rule.template, channel, person.language, {**context, "account_id": account_id}
            )
            draft = MessageDraft(
                source_event_id=source_event_id, source_event_type=rule.event_type, topic=rule.topic,
                template=rule.template, channel=channel, address=address,
                address_masked=mask_address(channel, address), language=person.language,
                account_ids=(account_id,), user_id=person.user_id, urgent=rule.urgent,
                subject=rendered.subject, text=rendered.text,
            )
            message_id = await queue_message(conn, notifier, draft, metadata, now)
            if message_id is not None:
                queued.append(message_id)
    return queued
