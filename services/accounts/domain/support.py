"""Support requests (seed 000 «Заявки», seeds 003/004 «Обратная связь»): a subscriber or an
organization admin files one about an account (topic, title, text); operators answer and close it;
the author may add to the thread while it is open. One stream per request (`support-<id>`), keyed
by its account; every event names the author, whom the notifications service tells of each change."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from shared.aggregate import Aggregate
from shared.errors import DomainError, NotFound, ValidationFailed
from shared.events import DomainEvent, registry

__all__ = [
    "Article",
    "SupportRequest",
    "SupportRequestAnswered",
    "SupportRequestClosed",
    "SupportRequestCommented",
    "SupportRequestFiled",
    "SupportTopic",
    "stream_id_for",
]

SupportTopic = Literal["internet", "tv", "telephony", "payments", "documents", "other"]
TOPICS: tuple[str, ...] = get_args(SupportTopic)
TITLE_MAX = 200
TEXT_MAX = 4000


class Article(BaseModel):
    """A knowledge-base page (seed 000 «База знаний»): static content an operator edits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    topic: SupportTopic
    text: str = Field(min_length=1, max_length=20_000)


def stream_id_for(request_id: str) -> str:
    return f"support-{request_id}"


@registry.register
class SupportRequestFiled(DomainEvent, type="SupportRequestFiled", version=1):
    account_id: str
    request_id: str
    author_user_id: str
    topic: SupportTopic
    title: str
    text: str
    at: datetime


@registry.register
class SupportRequestAnswered(DomainEvent, type="SupportRequestAnswered", version=1):
    """An operator's message in the thread."""

    account_id: str
    request_id: str
    author_user_id: str
    message_no: int
    operator_id: str
    text: str
    at: datetime


@registry.register
class SupportRequestCommented(DomainEvent, type="SupportRequestCommented", version=1):
    """The author's (or another user of the account's) follow-up in the thread."""

    account_id: str
    request_id: str
    author_user_id: str
    message_no: int
    user_id: str
    text: str
    at: datetime


@registry.register
class SupportRequestClosed(DomainEvent, type="SupportRequestClosed", version=1):
    account_id: str
    request_id: str
    author_user_id: str
    operator_id: str
    at: datetime


def _text(value: str, limit: int, code: str, what: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= limit:
        raise ValidationFailed(code, f"{what} has 1 to {limit} characters")
    return value


class SupportRequest(Aggregate):
    stream_type = "SupportRequest"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.request_id = stream_id.removeprefix("support-")
        self.account_id = ""
        self.author_user_id = ""
        self.filed = False
        self.closed = False
        self.messages = 0

    def apply(self, event: DomainEvent) -> None:
        match event:
            case SupportRequestFiled():
                self.filed, self.account_id, self.author_user_id = True, event.account_id, event.author_user_id
                self.messages = 1
            case SupportRequestAnswered() | SupportRequestCommented():
                self.messages = event.message_no
            case SupportRequestClosed():
                self.closed = True

    def _open_on(self, account_id: str) -> None:
        if not self.filed or self.account_id != account_id:
            raise NotFound("support_request.not_found", f"support request {self.request_id} not found")
        if self.closed:
            raise DomainError("support_request.closed", "the request is closed; file a new one")

    def file(self, account_id: str, author_user_id: str, topic: str, title: str, text: str,
             at: datetime) -> list[DomainEvent]:
        if self.filed:
            raise DomainError("support_request.exists", f"support request {self.request_id} exists")
        if topic not in TOPICS:
            raise ValidationFailed("support_request.bad_topic", f"the topic is one of {', '.join(TOPICS)}",
                                   topics=list(TOPICS))
        return [SupportRequestFiled(
            account_id=account_id, request_id=self.request_id, author_user_id=author_user_id, topic=topic,
            title=_text(title, TITLE_MAX, "support_request.bad_title", "a title"),
            text=_text(text, TEXT_MAX, "support_request.bad_text", "a message"), at=at,
        )]

    def answer(self, account_id: str, operator_id: str, text: str, at: datetime) -> list[DomainEvent]:
        self._open_on(account_id)
        return [SupportRequestAnswered(
            account_id=account_id, request_id=self.request_id, author_user_id=self.author_user_id,
            message_no=self.messages + 1, operator_id=operator_id,
            text=_text(text, TEXT_MAX, "support_request.bad_text", "a message"), at=at,
        )]

    def comment(self, account_id: str, user_id: str, text: str, at: datetime) -> list[DomainEvent]:
        self._open_on(account_id)
        return [SupportRequestCommented(
            account_id=account_id, request_id=self.request_id, author_user_id=self.author_user_id,
            message_no=self.messages + 1, user_id=user_id,
            text=_text(text, TEXT_MAX, "support_request.bad_text", "a message"), at=at,
        )]

    def close(self, account_id: str, operator_id: str, at: datetime) -> list[DomainEvent]:
        self._open_on(account_id)
        return [SupportRequestClosed(account_id=account_id, request_id=self.request_id,
                                     author_user_id=self.author_user_id, operator_id=operator_id, at=at)]
