"""What leaves the service: a rendered text, the message handed to a sender, and how a try can
fail. Pure values; the senders and templates that produce or take them are ports
(application/ports.py) implemented by adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.notifications.domain.events import Channel

__all__ = ["Attachment", "DeliveryFailed", "Outgoing", "Rendered"]


@dataclass(frozen=True)
class Rendered:
    """A template rendered for one channel: a subject (e-mail only) and the text."""

    subject: str | None
    text: str


@dataclass(frozen=True)
class Attachment:
    """A file an e-mail carries: an invoice's document, fetched at each try from the service that holds
    it (`Outgoing.attachment_ref`), or a file handed over with the message and kept with it until
    delivered (a call-detail CSV, `delivery_attachments`)."""

    file_name: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs. `text` may hold a one-time secret: never log it, never keep it.
    `attachment_ref`: where the attachment is fetched from before the try ({service, path,
    file_name, content_type}); `attachment`: the file, once fetched."""

    message_id: str
    channel: Channel
    address: str
    subject: str | None
    text: str = field(repr=False)
    attachment_ref: dict[str, str] | None = None
    attachment: Attachment | None = field(default=None, repr=False)


class DeliveryFailed(Exception):
    """The message did not go out. `permanent`: trying again cannot help (a refused address).
    `reason` is short and safe to record: it never quotes the message."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:300]
        self.permanent = permanent
