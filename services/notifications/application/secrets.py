"""Use case: deliver a one-time secret (temporary password, login code, phone confirmation code).

The accounts service posts the secret directly (`POST /internal/v1/deliveries/secret`); it is
never in an event, a table or a log line. The message is queued like any other, but with its
text rendered twice: once with the secret masked, which is all that is stored and published, and
once for real, which lives only in this request's memory while it is sent. Tries happen within the
request (a few, with short pauses): a code is worth little later, and no later process could
resend it anyway, having no copy. An undeliverable secret ends as a failed message, visible in the
cabinet's list, and the caller is told so; the subscriber asks for a new one."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.notifications.application.context import Notifier
from services.notifications.application.delivery import send_once
from services.notifications.application.queueing import queue_message
from services.notifications.domain.catalog import SECRET_RULES
from services.notifications.domain.events import Channel, Language
from services.notifications.domain.formatting import mask_address
from services.notifications.domain.message import MessageDraft
from services.notifications.domain.outgoing import Outgoing
from shared.commands import scoped_key
from shared.errors import DomainError
from shared.eventstore import Metadata

__all__ = ["DeliveryNotPossible", "SecretDelivery", "SecretOutcome", "deliver_secret"]

MASK = "******"
_SECRETS = uuid.UUID("6c2f0a7e-5a8b-4f0e-b1d3-2b9e4c7d8a90")


class DeliveryNotPossible(DomainError):
    """The provider would not take the message after every try; nothing of the secret was kept."""

    status = 424


@dataclass(frozen=True)
class SecretDelivery:
    kind: str
    user_id: str
    account_ids: tuple[str, ...]
    channel: Channel
    address: str
    language: Language
    secret: str = field(repr=False)  # never printed by accident
    expires_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class SecretOutcome:
    message_id: str
    status: str
    attempts: int
    address_masked: str
    repeated: bool = False


async def deliver_secret(
    notifier: Notifier, request: SecretDelivery, metadata: Metadata, idempotency_key: str | None = None
) -> SecretOutcome:
    now = notifier.clock.now()
    if request.expires_at <= now:
        raise DomainError("delivery.secret_expired", "the secret expired before it could be sent")
    rule = SECRET_RULES[request.kind]
    context = {"expires_at": request.expires_at.isoformat()}
    masked = notifier.templates.render(rule.template, request.channel, request.language, {**context, "secret": MASK})
    # The caller's key, scoped as every command scopes it (shared/commands.py): two callers' keys never meet.
    key = scoped_key(idempotency_key, metadata.actor or "", "deliver-secret", request.user_id)
    source_id = str(uuid.uuid5(_SECRETS, key) if key else uuid.uuid4())
    address_masked = mask_address(request.channel, request.address)
    draft = MessageDraft(
        source_event_id=source_id, source_event_type=f"secret.{request.kind}", topic=rule.topic,
        template=rule.template, channel=request.channel, address=request.address, address_masked=address_masked,
        language=request.language, account_ids=request.account_ids, user_id=request.user_id, urgent=True,
        subject=masked.subject, text=masked.text, secret=True,
    )
    async with notifier.pool.acquire() as conn, conn.transaction():
        message_id = await queue_message(conn, notifier, draft, metadata, now)
    if message_id is None:  # the same request again (same idempotency key): no second message
        return await _earlier_outcome(notifier, source_id, request, address_masked)
    real = notifier.templates.render(
        rule.template, request.channel, request.language, {**context, "secret": request.secret}
    )
    outgoing = Outgoing(message_id, request.channel, request.address, real.subject, real.text)
    attempts = notifier.secret_attempts
    for attempt in range(1, attempts + 1):
        pause = notifier.secret_retry_pause * attempt
        next_at = None if attempt == attempts else notifier.clock.now() + timedelta(seconds=pause)
        outcome = await send_once(notifier, outgoing, attempt, next_at, metadata)
        if outcome == "sent":
            return SecretOutcome(message_id, "sent", attempt, address_masked)
        if outcome == "failed":
            break  # refused for good, or the last try
        await asyncio.sleep(pause)
    raise DeliveryNotPossible(
        "delivery.failed", f"the message to {address_masked} could not be delivered; ask for a new one",
        message_id=message_id,
    )


async def _earlier_outcome(
    notifier: Notifier, source_id: str, request: SecretDelivery, address_masked: str
) -> SecretOutcome:
    row = await notifier.pool.fetchrow(
        "SELECT message_id, status, attempts FROM deliveries WHERE source_event_id = $1 AND channel = $2"
        " AND address = $3", uuid.UUID(source_id), request.channel, request.address,
    )
    assert row is not None, "queue_message found this very row"
    return SecretOutcome(str(row["message_id"]), row["status"], row["attempts"], address_masked, repeated=True)
