"""Use case: try to deliver a queued message, and record how it went.

A try is a durable timer (`notifications.send`, one per attempt). Firing it claims the try and
schedules the next one (after the backoff, past quiet hours) in the timer's transaction; the
sending itself runs after that commit (shared/scheduler.py `AfterCommit`), never inside a
transaction. Success cancels the next try; a failure leaves it due; the last failure, or a
permanent refusal, ends the message as failed. If the process dies mid-send, the next try (or,
after the last one, the give-up timer) still comes: retries never depend on the failed process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Literal

from prometheus_client import Counter

from services.notifications.application.context import Notifier
from services.notifications.application.queueing import GIVE_UP, SEND, attempt_key, give_up_key
from services.notifications.domain.message import Message, stream_id_for
from services.notifications.domain.outgoing import Attachment, DeliveryFailed, Outgoing
from shared.commands import execute
from shared.db import Connection
from shared.events import DomainEvent
from shared.eventstore import Metadata, RecordedEvent
from shared.logging import get_logger
from shared.scheduler import AfterCommit, DueTimer, cancel_timer, schedule_timer

__all__ = ["MESSAGES", "Outcome", "attempt_delivery", "give_up", "record_outcome", "send_once"]

log = get_logger(__name__)
Outcome = Literal["sent", "retry", "failed"]
MESSAGES = Counter("billing_notifications_messages_total", "Message outcomes", ["channel", "outcome"])


async def attempt_delivery(notifier: Notifier, conn: Connection, timer: DueTimer) -> AfterCommit | None:
    message_id, attempt = str(timer.payload["message_id"]), int(timer.payload["attempt"])
    row = await conn.fetchrow("SELECT * FROM deliveries WHERE message_id = $1 FOR UPDATE", message_id)
    if row is None or row["status"] != "queued" or row["secret"] or row["attempts"] >= attempt:
        return None  # delivered, failed, or this try was already made
    now = notifier.clock.now()
    await conn.execute("UPDATE deliveries SET attempts = $2 WHERE message_id = $1", message_id, attempt)
    retry = notifier.retry
    next_at: datetime | None = None
    if retry.is_last(attempt):
        await schedule_timer(conn, give_up_key(message_id), GIVE_UP, now + retry.delay_after(attempt),
                             {"message_id": message_id})
    else:
        next_at = notifier.quiet_hours.send_after(
            now + retry.delay_after(attempt), row["channel"], row["urgent"], notifier.timezone
        )
        await schedule_timer(conn, attempt_key(message_id, attempt + 1), SEND, next_at,
                             {"message_id": message_id, "attempt": attempt + 1})
    attached = await conn.fetchrow("SELECT filename, content_type, content FROM delivery_attachments"
                                   " WHERE message_id = $1", message_id)
    attachment = Attachment(attached["filename"], attached["content_type"], bytes(attached["content"])) \
        if attached is not None else None
    outgoing = Outgoing(message_id, row["channel"], row["address"], row["subject"], row["body"],
                        attachment_ref=row["attachment"], attachment=attachment)
    metadata = Metadata(correlation_id=row["correlation_id"] or message_id, actor="notifications")

    async def send() -> None:
        await send_once(notifier, outgoing, attempt, next_at, metadata)

    return send


async def give_up(notifier: Notifier, conn: Connection, timer: DueTimer) -> AfterCommit | None:
    """No outcome was ever recorded for the last try (the process died while sending)."""
    message_id = str(timer.payload["message_id"])
    status = await conn.fetchval("SELECT status FROM deliveries WHERE message_id = $1", message_id)
    if status != "queued":
        return None

    async def fail() -> None:
        await record_outcome(notifier, message_id, 0, Metadata(correlation_id=message_id, actor="notifications"),
                             error="no outcome recorded for the last try", final=True)

    return fail


async def send_once(
    notifier: Notifier, outgoing: Outgoing, attempt: int, next_at: datetime | None, metadata: Metadata
) -> Outcome:
    """One try, outside any transaction, and its outcome recorded: "sent", "retry" (at `next_at`)
    or "failed" (refused for good, or nothing left to retry). Nothing of `outgoing.text` is logged."""
    try:
        if outgoing.attachment_ref is not None:
            if notifier.attachments is None:
                raise DeliveryFailed("attachment: no service to fetch it from", permanent=True)
            outgoing = replace(outgoing, attachment=await notifier.attachments.fetch(outgoing.attachment_ref))
        await notifier.senders[outgoing.channel].send(outgoing)
    except DeliveryFailed as failure:
        log.warning("message.attempt_failed", message_id=outgoing.message_id, channel=outgoing.channel,
                    attempt=attempt, reason=failure.reason, permanent=failure.permanent)
        final = failure.permanent or next_at is None
        await record_outcome(notifier, outgoing.message_id, attempt, metadata, error=failure.reason,
                             final=final, next_at=next_at, refused=failure.permanent)
        return "failed" if final else "retry"
    log.info("message.sent", message_id=outgoing.message_id, channel=outgoing.channel, attempt=attempt)
    await record_outcome(notifier, outgoing.message_id, attempt, metadata)
    return "sent"


async def record_outcome(
    notifier: Notifier, message_id: str, attempt: int, metadata: Metadata, *, error: str | None = None,
    final: bool = False, next_at: datetime | None = None, refused: bool = False,
) -> None:
    """Append the try's outcome to the message's stream and bring its delivery row along."""
    now = notifier.clock.now()

    def decide(message: Message) -> Sequence[DomainEvent]:
        if error is None:
            return message.record_sent(attempt, now)
        return message.record_failure(attempt, error, final=final, next_attempt_at=next_at, now=now,
                                      refused=refused)

    async def update_row(conn: Connection, message: Message, recorded: list[RecordedEvent]) -> None:
        if not recorded:
            return
        await conn.execute(
            "UPDATE deliveries SET status = $2, attempts = greatest(attempts, $3), last_error = $4,"
            " sent_at = CASE WHEN $2 = 'sent' THEN $5::timestamptz END,"
            " failed_at = CASE WHEN $2 = 'failed' THEN $5::timestamptz END"
            " WHERE message_id = $1",
            message_id, message.status if message.done else "queued", message.attempts, error, now,
        )
        if message.done:
            MESSAGES.labels(message.channel, message.status).inc()
            await cancel_timer(conn, attempt_key(message_id, attempt + 1), now)
            await cancel_timer(conn, give_up_key(message_id), now)

    await execute(notifier.store, Message, stream_id_for(message_id), decide, metadata=metadata, now=now,
                  in_transaction=update_row)
