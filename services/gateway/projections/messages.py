"""The cabinet's "Messages" list, built from billing.notifications.events (docs/events.md).

Read by contract: each model names only the payload fields the list shows. A message stays
`pending` while queued, deferred or being retried, then becomes `sent` or `failed`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.cloudevents import topic_for
from shared.db import Connection, Pool
from shared.projection import IncomingEvent

__all__ = ["CabinetMessages", "message_list"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: str


class _MessageQueued(_Payload):
    account_ids: list[str]
    topic: str
    template: str
    channel: str
    address_masked: str
    subject: str | None = None
    text: str
    queued_at: datetime
    send_after: datetime


class _MessageAttemptFailed(_Payload):
    attempt: int
    error: str
    next_attempt_at: datetime


class _MessageSent(_Payload):
    attempt: int
    sent_at: datetime


class _MessageFailed(_Payload):
    attempts: int
    reason: str
    failed_at: datetime
    refused: bool = False  # version 2; version 1 did not say


class CabinetMessages:
    name = "gateway.cabinet_messages"
    topics = (topic_for("notifications"),)
    #: The tables this projection alone writes (what `billing rebuild` replaces).
    tables = ("cabinet_messages",)

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        match event.event_type:
            case "MessageQueued":
                q = _MessageQueued.model_validate(event.payload)
                await conn.execute(
                    "INSERT INTO cabinet_messages (message_id, account_ids, topic, template, channel, address_masked,"
                    " subject, text, status, queued_at, send_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                    " 'pending', $9, $10) ON CONFLICT (message_id) DO NOTHING",
                    q.message_id, q.account_ids, q.topic, q.template, q.channel, q.address_masked, q.subject,
                    q.text, q.queued_at, q.send_after,
                )
            case "MessageAttemptFailed":
                a = _MessageAttemptFailed.model_validate(event.payload)
                await conn.execute(
                    "UPDATE cabinet_messages SET attempts = greatest(attempts, $2), last_error = $3,"
                    " next_attempt_at = $4 WHERE message_id = $1 AND status = 'pending'",
                    a.message_id, a.attempt, a.error, a.next_attempt_at,
                )
            case "MessageSent":
                s = _MessageSent.model_validate(event.payload)
                await conn.execute(
                    "UPDATE cabinet_messages SET status = 'sent', attempts = greatest(attempts, $2), sent_at = $3,"
                    " next_attempt_at = NULL WHERE message_id = $1",
                    s.message_id, s.attempt, s.sent_at,
                )
            case "MessageFailed":
                f = _MessageFailed.model_validate(event.payload)
                await conn.execute(
                    "UPDATE cabinet_messages SET status = 'failed', attempts = greatest(attempts, $2),"
                    " last_error = $3, failed_at = $4, next_attempt_at = NULL, refused = $5 WHERE message_id = $1",
                    f.message_id, f.attempts, f.reason, f.failed_at, f.refused,
                )


async def message_list(
    pool: Pool, account_id: str, *, status: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """An account's messages, newest first."""
    rows = await pool.fetch(
        "SELECT *, count(*) OVER () AS total FROM cabinet_messages"
        " WHERE $1 = ANY(account_ids) AND ($2::text IS NULL OR status = $2)"
        " ORDER BY queued_at DESC, message_id LIMIT $3 OFFSET $4",
        account_id, status, limit, offset,
    )
    total = rows[0]["total"] if rows else await pool.fetchval(
        "SELECT count(*) FROM cabinet_messages WHERE $1 = ANY(account_ids) AND ($2::text IS NULL OR status = $2)",
        account_id, status,
    )
    return {"items": [_item(row) for row in rows], "total": total, "limit": limit, "offset": offset}


def _item(row: Any) -> dict[str, Any]:
    def instant(name: str) -> str | None:
        return row[name].isoformat() if row[name] is not None else None

    return {
        "message_id": str(row["message_id"]),
        "status": row["status"],
        "channel": row["channel"],
        "address_masked": row["address_masked"],
        "topic": row["topic"],
        "template": row["template"],
        "subject": row["subject"],
        "text": row["text"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "refused": row["refused"],
        "queued_at": instant("queued_at"),
        "send_after": instant("send_after"),
        "next_attempt_at": instant("next_attempt_at"),
        "sent_at": instant("sent_at"),
        "failed_at": instant("failed_at"),
    }
