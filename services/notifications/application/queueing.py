"""Use case: queue one message for one address, at most once per (event, channel, address).

The delivery row, the `MessageQueued` event and the timer of the first try are written in the
caller's transaction (the consumer's, which also records the triggering event as applied; or a
timer's). The unique (source_event_id, channel, address) is what makes a redelivered, republished
or replayed event queue nothing: it holds even when the consumer's own bookkeeping was reset.
A new message is a new stream under a fresh id, with nothing to load or decide against, and it must
join the caller's transaction: so it is appended directly, not through `execute`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from services.notifications.application.context import Notifier
from services.notifications.domain.message import Message, MessageDraft, stream_id_for
from shared.db import Connection
from shared.eventstore import Metadata
from shared.scheduler import schedule_timer

__all__ = ["GIVE_UP", "SECRET_OUTCOME_WAIT", "SEND", "attempt_key", "give_up_key", "queue_message"]

SEND = "notifications.send"
GIVE_UP = "notifications.give_up"
#: A secret message's outcome is recorded by the request that carries it; if that request dies,
#: the message is marked failed after this long (the secret is gone with it: nothing can resend).
SECRET_OUTCOME_WAIT = timedelta(minutes=10)


def attempt_key(message_id: str, attempt: int) -> str:
    return f"message:{message_id}:attempt:{attempt}"


def give_up_key(message_id: str) -> str:
    return f"message:{message_id}:give-up"


async def queue_message(
    conn: Connection, notifier: Notifier, draft: MessageDraft, metadata: Metadata, now: datetime
) -> str | None:
    """The new message's id, or None when this (event, channel, address) has one already."""
    message_id = str(uuid.uuid4())
    send_after = notifier.quiet_hours.send_after(now, draft.channel, draft.urgent, notifier.timezone)
    inserted = await conn.fetchval(
        "INSERT INTO deliveries (message_id, source_event_id, source_event_type, channel, address, account_ids,"
        " user_id, topic, template, language, subject, body, secret, urgent, correlation_id, queued_at, send_after,"
        " attachment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        " ON CONFLICT (source_event_id, channel, address) DO NOTHING RETURNING true",
        message_id, draft.source_event_id, draft.source_event_type, draft.channel, draft.address,
        list(draft.account_ids), draft.user_id, draft.topic, draft.template, draft.language, draft.subject,
        draft.text, draft.secret, draft.urgent, metadata.correlation_id, now, send_after, draft.attachment,
    )
    if not inserted:
        return None
    message = Message(stream_id_for(message_id))
    await notifier.store.append(
        conn, stream_id=message.stream_id, stream_type=Message.stream_type, expected_version=0,
        events=message.queue(draft, now, send_after), metadata=metadata, occurred_at=now,
    )
    if draft.secret:
        await schedule_timer(conn, give_up_key(message_id), GIVE_UP, now + SECRET_OUTCOME_WAIT,
                             {"message_id": message_id})
    else:
        await schedule_timer(conn, attempt_key(message_id, 1), SEND, send_after,
                             {"message_id": message_id, "attempt": 1})
    return message_id
