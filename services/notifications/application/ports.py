"""The ports through which messages leave: one sender per channel (adapters: SMTP, SMS gateway)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from services.notifications.domain.events import Channel

__all__ = ["DeliveryFailed", "Outgoing", "Sender", "Senders"]


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs. `text` may hold a one-time secret: never log it, never keep it."""

    message_id: str
    channel: Channel
    address: str
    subject: str | None
    text: str = field(repr=False)


class DeliveryFailed(Exception):
    """The message did not go out. `permanent`: trying again cannot help (a refused address).
    `reason` is short and safe to record: it never quotes the message."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:300]
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, message: Outgoing) -> None:
        """Hand the message to the provider or raise DeliveryFailed."""
        ...


Senders = Mapping[Channel, Sender]
