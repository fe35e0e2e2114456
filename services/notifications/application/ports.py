"""The ports the use cases need, abstract only: one sender per channel (adapters: SMTP, SMS
gateway), the message templates (adapter: Jinja2 files) and the files other services hold
(adapter: their internal APIs). The values they take and give
(`Outgoing`, `Rendered`, `DeliveryFailed`) are in domain/outgoing.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from services.notifications.domain.events import Channel, Language
from services.notifications.domain.outgoing import Attachment, Outgoing, Rendered

__all__ = ["Attachments", "MessageTemplates", "Sender", "Senders"]


class Sender(Protocol):
    async def send(self, message: Outgoing) -> None:
        """Hand the message to the provider or raise DeliveryFailed."""
        ...


Senders = Mapping[Channel, Sender]


class MessageTemplates(Protocol):
    def render(self, template: str, channel: Channel, language: Language, context: dict[str, Any]) -> Rendered:
        """The template's text for the channel and language, from the event's payload as it came;
        a missing field is an error, never an empty gap in a message."""
        ...


class Attachments(Protocol):
    async def fetch(self, ref: Mapping[str, str]) -> Attachment:
        """The file `ref` names ({service, path, file_name, content_type}) from the service that
        holds it, or raise DeliveryFailed (permanent when it is gone for good)."""
        ...
