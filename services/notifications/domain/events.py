"""The notifications service's events: public API on `billing.notifications.events` (docs/events.md).

One stream per message (`message-<id>`). No secret is ever in them: a message carrying a one-time
secret shows it masked in `text`, and addresses appear only masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from shared.events import DomainEvent, registry

__all__ = [
    "Channel",
    "Language",
    "MessageAttemptFailed",
    "MessageEvent",
    "MessageFailed",
    "MessageQueued",
    "MessageSent",
]

Channel = Literal["sms", "email"]
Language = Literal["ru", "en"]


class MessageEvent(DomainEvent):
    """Every message event names the message and the accounts it is about (the cabinet lists a
    message under each of them); the first account is the Kafka key."""

    message_id: str
    account_id: str | None = None
    account_ids: list[str] = []

    @property
    def partition_key(self) -> str | None:
        # A message about no account (an operator's login code) still keeps its events in order.
        return self.account_id or f"message-{self.message_id}"


@registry.register
class MessageQueued(MessageEvent, type="MessageQueued", version=1):
    """A message was composed for one address; it goes out at `send_after` (later than
    `queued_at` when quiet hours deferred it)."""

    user_id: str | None = None
    topic: str
    template: str
    channel: Channel
    address_masked: str
    language: Language
    source_event_id: str
    source_event_type: str
    urgent: bool
    queued_at: datetime
    send_after: datetime
    deferred: bool = False
    subject: str | None = None
    text: str


@registry.register
class MessageSent(MessageEvent, type="MessageSent", version=1):
    channel: Channel
    attempt: int
    sent_at: datetime


@registry.register
class MessageAttemptFailed(MessageEvent, type="MessageAttemptFailed", version=1):
    """One try failed; the next one is due at `next_attempt_at`."""

    attempt: int
    error: str
    next_attempt_at: datetime


@registry.register
class MessageFailed(MessageEvent, type="MessageFailed", version=2):
    """No more tries: the message stays undelivered, visibly. `refused` (since version 2): the SMS
    gateway or the mail server refused it for good (a wrong number, a mailbox that does not exist),
    so trying later would not help; false when the tries ran out, and in every version-1 event
    (they did not say: `_failed_v1_to_v2`)."""

    channel: Channel
    attempts: int
    reason: str
    failed_at: datetime
    refused: bool = False


@registry.upcaster("MessageFailed", 1)
def _failed_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored version-1 `MessageFailed` read as version 2: not known to be a refusal."""
    return {**payload, "refused": False}
