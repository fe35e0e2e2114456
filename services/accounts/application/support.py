"""Use cases of support requests: file, answer (operator), add to the thread (the account's user),
close (operator); the list and a request's thread, read from the tables the commands keep in their
transaction (migrations/003_support.sql). The knowledge base beside them is a static file an
operator edits (catalogue/knowledge_base.json, adapters/catalogue.py)."""

from __future__ import annotations

import uuid
from typing import Any

from services.accounts.application.context import Accounts
from services.accounts.domain.support import SupportRequest, stream_id_for
from shared.commands import CommandResult, execute, scoped_key
from shared.db import Connection, Pool
from shared.errors import NotFound
from shared.eventstore import Metadata, RecordedEvent
from shared.paging import page_of

__all__ = ["add_message", "close_request", "file_request", "request_thread", "support_requests"]


def _respond(request: SupportRequest, _: list[RecordedEvent]) -> dict[str, Any]:
    return {"request_id": request.request_id, "account_id": request.account_id,
            "status": "closed" if request.closed else "open", "messages": request.messages}


async def file_request(ctx: Accounts, account_id: str, user_id: str, topic: str, title: str, text: str,
                       metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    request_id = uuid.uuid4().hex[:16]
    now = ctx.clock.now()

    async def index(conn: Connection, request: SupportRequest, recorded: list[RecordedEvent]) -> None:
        filed = recorded[0].payload
        await conn.execute(
            "INSERT INTO support_requests (request_id, account_id, author_user_id, topic, title, filed_at,"
            " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
            request.request_id, account_id, user_id, filed["topic"], filed["title"], now)
        await conn.execute(
            "INSERT INTO support_messages (request_id, message_no, by_role, user_id, text, at)"
            " VALUES ($1, 1, 'author', $2, $3, $4)", request.request_id, user_id, filed["text"], now)

    return await execute(
        ctx.store, SupportRequest, stream_id_for(request_id),
        lambda request: request.file(account_id, user_id, topic, title, text, now),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "file-support-request", account_id),
        request={"account_id": account_id, "user_id": user_id, "topic": topic, "title": title, "text": text},
        respond=_respond, in_transaction=index,
    )


async def add_message(ctx: Accounts, account_id: str, request_id: str, user_id: str, operator: bool, text: str,
                      metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    """An operator's message answers the request; anyone else's adds to its thread."""
    now = ctx.clock.now()

    async def index(conn: Connection, request: SupportRequest, recorded: list[RecordedEvent]) -> None:
        payload = recorded[-1].payload
        await conn.execute(
            "INSERT INTO support_messages (request_id, message_no, by_role, user_id, text, at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            request_id, payload["message_no"], "operator" if operator else "author", user_id, payload["text"], now)
        await conn.execute(
            "UPDATE support_requests SET updated_at = $2, first_answer_at = CASE WHEN $3"
            " THEN coalesce(first_answer_at, $2) ELSE first_answer_at END WHERE request_id = $1",
            request_id, now, operator)

    return await execute(
        ctx.store, SupportRequest, stream_id_for(request_id),
        lambda request: (request.answer(account_id, user_id, text, now) if operator
                         else request.comment(account_id, user_id, text, now)),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "support-message", request_id),
        request={"account_id": account_id, "user_id": user_id, "operator": operator, "text": text},
        respond=_respond, in_transaction=index,
    )


async def close_request(ctx: Accounts, account_id: str, request_id: str, operator_id: str, metadata: Metadata,
                        idempotency_key: str | None) -> CommandResult:
    now = ctx.clock.now()

    async def index(conn: Connection, _: SupportRequest, __: list[RecordedEvent]) -> None:
        await conn.execute("UPDATE support_requests SET status = 'closed', updated_at = $2 WHERE request_id = $1",
                           request_id, now)

    return await execute(
        ctx.store, SupportRequest, stream_id_for(request_id),
        lambda request: request.close(account_id, operator_id, now),
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", "close-support-request", request_id),
        request={"account_id": account_id, "operator_id": operator_id},
        respond=_respond, in_transaction=index,
    )


_LIST_FIELDS = ("request_id", "topic", "title", "status", "filed_at", "updated_at", "response_time_s")
_LIST = (
    "SELECT request_id, topic, title, status, filed_at, updated_at,"
    " extract(epoch FROM first_answer_at - filed_at)::bigint AS response_time_s, count(*) OVER () AS total"
    " FROM support_requests WHERE account_id = $1 ORDER BY updated_at DESC, request_id LIMIT $2 OFFSET $3"
)


async def support_requests(pool: Pool, account_id: str, limit: int, offset: int) -> dict[str, Any]:
    """The account's requests, last updated first: id, title, last update, response time (seconds
    from filing to the first operator answer; null while unanswered)."""
    rows = await pool.fetch(_LIST, account_id, limit, offset)
    return page_of(rows, _LIST_FIELDS, limit=limit, offset=offset)


async def request_thread(pool: Pool, account_id: str, request_id: str) -> dict[str, Any]:
    async with pool.acquire() as conn:
        head = await conn.fetchrow(
            "SELECT request_id, account_id, author_user_id, topic, title, status, filed_at, updated_at,"
            " extract(epoch FROM first_answer_at - filed_at)::bigint AS response_time_s"
            " FROM support_requests WHERE request_id = $1 AND account_id = $2", request_id, account_id)
        if head is None:
            raise NotFound("support_request.not_found", f"support request {request_id} not found")
        messages = await conn.fetch(
            "SELECT message_no, by_role AS by, text, at FROM support_messages WHERE request_id = $1"
            " ORDER BY message_no", request_id)
    return {**dict(head), "messages": [dict(m) for m in messages]}
