"""The notifications service's internal API (called by the accounts service and the gateway)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from typing_extensions import TypedDict  # pydantic documents them from typing_extensions on Python < 3.12

from services.notifications.application.context import Notifier
from services.notifications.application.documents import DocumentDelivery, queue_document
from services.notifications.application.recipients import preferences_of
from services.notifications.application.secrets import SecretDelivery, deliver_secret
from services.notifications.domain.catalog import TOPICS
from services.notifications.domain.events import Channel, Language
from services.notifications.domain.formatting import mask_address
from services.notifications.domain.outgoing import Attachment
from services.notifications.entrypoints.common import SecretSender, UserId
from shared.clock import utc
from shared.errors import DomainError
from shared.http import ID_PATTERN, IdempotencyKey, command_metadata
from shared.openapi import answers, problems

__all__ = ["DocumentDeliveryRequest", "NotificationsController", "SecretDeliveryRequest"]

#: What an address must look like for its channel (the schema says so too: `if`/`then`/`else`).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f-\x9f]{1,64}@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]{2,}$"
PHONE_PATTERN = r"^\+?[0-9]{10,15}$"
_EMAIL = re.compile(EMAIL_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)


class SecretDeliveryRequest(BaseModel):
    """A one-time secret to send at once; it is never stored, logged or echoed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "if": {"properties": {"channel": {"const": "sms"}}},
        "then": {"properties": {"address": {"pattern": PHONE_PATTERN}}},
        "else": {"properties": {"address": {"pattern": EMAIL_PATTERN}}},
    })

    kind: Literal["temporary_password", "login_code", "phone_confirmation_code"]
    user_id: str = Field(pattern=ID_PATTERN)
    account_ids: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(default_factory=list, max_length=1000)
    channel: Channel
    address: str = Field(min_length=3, max_length=254)
    language: Language = "ru"
    secret: SecretStr = Field(min_length=4, max_length=64)
    expires_at: datetime

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return utc(value)

    @model_validator(mode="after")
    def _address_fits_channel(self) -> SecretDeliveryRequest:
        pattern = _PHONE if self.channel == "sms" else _EMAIL
        if not pattern.fullmatch(self.address):
            raise ValueError(f"address is not a valid {'phone number' if self.channel == 'sms' else 'e-mail'}")
        return self


class DocumentDeliveryRequest(BaseModel):
    """An e-mail with a document attached (a call-detail file), queued and sent like any message."""

    model_config = ConfigDict(extra="forbid")

    document_id: str = Field(pattern=ID_PATTERN, description="the sender's id of the document: once per id")
    kind: Literal["call_detail"]
    address: str = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    language: Language = "ru"
    account_ids: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(default_factory=list, max_length=1000)
    subject: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
    text: str = Field(min_length=1, max_length=4000)
    filename: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
    content_type: Literal["text/csv"]
    content_base64: str = Field(min_length=1, max_length=8_000_000, pattern=r"^[A-Za-z0-9+/=]+$")


class DocumentQueued(TypedDict):
    message_id: str
    status: Literal["queued"]
    address_masked: str


class SecretSent(TypedDict):
    """A one-time secret's delivery (the secret itself is never answered)."""

    message_id: str
    status: str
    attempts: int
    channel: Literal["sms", "email"]
    address_masked: str


class TopicChannels(TypedDict):
    topic: str
    default_channels: list[Literal["sms", "email"]]
    channels: list[Literal["sms", "email"]]


class Preferences(TypedDict):
    user_id: str
    topics: list[TopicChannels]


class NotificationsController(Controller):
    path = "/internal/v1"

    @post("/deliveries/secret", status_code=201, summary="Deliver a one-time secret at once, keeping no copy",
          responses={**answers(201, SecretSent), **problems(424)})
    async def deliver_secret(
        self,
        data: SecretDeliveryRequest,
        notifier: Notifier,
        actor: SecretSender,
        idempotency_key: IdempotencyKey,
    ) -> Response[dict[str, Any]]:
        metadata = command_metadata(actor)
        request = SecretDelivery(
            data.kind, data.user_id, tuple(data.account_ids), data.channel, data.address, data.language,
            data.secret.get_secret_value(), expires_at=data.expires_at,
        )
        outcome = await deliver_secret(notifier, request, metadata, idempotency_key)
        body = {"message_id": outcome.message_id, "status": outcome.status, "attempts": outcome.attempts,
                "channel": data.channel, "address_masked": outcome.address_masked}
        return Response(body, status_code=200 if outcome.repeated else 201,
                        headers={"idempotent-replayed": "true"} if outcome.repeated else {})

    @post("/deliveries/document", status_code=202, summary="Queue an e-mail with a document attached (once per id)",
          responses=answers(202, DocumentQueued))
    async def deliver_document(self, data: DocumentDeliveryRequest, notifier: Notifier,
                               actor: SecretSender) -> Response[dict[str, Any]]:
        try:
            content = base64.b64decode(data.content_base64, validate=True)
        except binascii.Error:
            raise DomainError("delivery.attachment_invalid", "content_base64 is not base64") from None
        request = DocumentDelivery(data.document_id, data.kind, data.address, data.language, tuple(data.account_ids),
                                   data.subject, data.text, Attachment(data.filename, data.content_type, content))
        message_id, queued = await queue_document(notifier, request, command_metadata(actor))
        body = {"message_id": message_id, "status": "queued", "address_masked": mask_address("email", data.address)}
        return Response(body, status_code=202 if queued else 200,
                        headers={} if queued else {"idempotent-replayed": "true"})

    @get("/users/{user_id:str}/notification-preferences", summary="The topics and the user's channels",
         responses=answers(200, Preferences))
    async def preferences(self, user_id: UserId, notifier: Notifier) -> dict[str, Any]:
        chosen = await preferences_of(notifier.pool, user_id)
        return {
            "user_id": user_id,
            "topics": [
                {"topic": topic, "default_channels": list(defaults), "channels": list(chosen.get(topic, defaults))}
                for topic, defaults in TOPICS.items()
            ],
        }
