"""One message to one address: queued, then sent or, after its tries, failed. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.notifications.domain.events import (
    Channel,
    Language,
    MessageAttemptFailed,
    MessageFailed,
    MessageQueued,
    MessageSent,
)
from shared.aggregate import Aggregate
from shared.events import DomainEvent

__all__ = ["Message", "MessageDraft", "stream_id_for"]


def stream_id_for(message_id: str) -> str:
    return f"message-{message_id}"


@dataclass(frozen=True)
class MessageDraft:
    """A rendered message for one address, before it is queued. For a secret message `text` is
    the masked rendering: the real one never leaves the request that carries the secret."""

    source_event_id: str
    source_event_type: str
    topic: str
    template: str
    channel: Channel
    address: str
    address_masked: str
    language: Language
    account_ids: tuple[str, ...]
    user_id: str | None
    urgent: bool
    subject: str | None
    text: str
    secret: bool = False
    #: a file to mail with it, fetched at each try: {service, path, file_name, content_type}
    attachment: dict[str, str] | None = None

    @property
    def account_id(self) -> str | None:
        return self.account_ids[0] if self.account_ids else None


class Message(Aggregate):
    stream_type = "Message"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.message_id = stream_id.removeprefix("message-")
        self.status = "new"
        self.channel: Channel = "sms"
        self.account_ids: list[str] = []
        self.attempts = 0

    def apply(self, event: DomainEvent) -> None:
        match event:
            case MessageQueued():
                self.status = "queued"
                self.channel = event.channel
                self.account_ids = list(event.account_ids)
            case MessageAttemptFailed():
                self.attempts = max(self.attempts, event.attempt)
            case MessageSent():
                self.status = "sent"
                self.attempts = max(self.attempts, event.attempt)
            case MessageFailed():
                self.status = "failed"
                self.attempts = max(self.attempts, event.attempts)

    @property
    def done(self) -> bool:
        return self.status in ("sent", "failed")

    def queue(self, draft: MessageDraft, now: datetime, send_after: datetime) -> list[DomainEvent]:
        if self.status != "new":
            return []
        return [
            MessageQueued(
                message_id=self.message_id, account_id=draft.account_id, account_ids=list(draft.account_ids),
                user_id=draft.user_id, topic=draft.topic, template=draft.template, channel=draft.channel,
                address_masked=draft.address_masked, language=draft.language,
                source_event_id=draft.source_event_id, source_event_type=draft.source_event_type,
                urgent=draft.urgent, queued_at=now, send_after=send_after, deferred=send_after > now,
                subject=draft.subject, text=draft.text,
            )
        ]

    def record_sent(self, attempt: int, now: datetime) -> list[DomainEvent]:
        """Sent: unless an outcome was recorded already (a late duplicate try)."""
        if self.done:
            return []
        return [MessageSent(**self._ids(), channel=self.channel, attempt=attempt, sent_at=now)]

    def record_failure(
        self, attempt: int, error: str, *, final: bool, next_attempt_at: datetime | None, now: datetime,
        refused: bool = False,
    ) -> list[DomainEvent]:
        """A failed try: retried at `next_attempt_at`, or the end of the message when `final`
        (a permanent refusal, `refused`, or the last try) or nothing is left to retry with."""
        if self.done:
            return []
        if final or next_attempt_at is None:
            return [MessageFailed(**self._ids(), channel=self.channel, attempts=max(attempt, self.attempts),
                                  reason=error, failed_at=now, refused=refused)]
        return [MessageAttemptFailed(**self._ids(), attempt=attempt, error=error, next_attempt_at=next_attempt_at)]

    def _ids(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "account_id": self.account_ids[0] if self.account_ids else None,
            "account_ids": self.account_ids,
        }
