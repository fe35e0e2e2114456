"""Support requests of an account as the gateway forwards them (who writes is the gateway's
caller: `user_id`, and `operator` for support staff), the knowledge base, and support's reset of a
subscriber's credentials."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.accounts.application import credential_reset, support
from services.accounts.application.context import Accounts
from services.accounts.domain.support import TEXT_MAX, TITLE_MAX, SupportTopic
from services.accounts.entrypoints import answers as a
from shared.http import ID_PATTERN, AccountId, Actor, IdempotencyKey, command_metadata, command_response
from shared.openapi import answers

__all__ = ["CredentialResetController", "KnowledgeBaseController", "SupportController"]

RequestId = Annotated[str, Parameter(pattern=ID_PATTERN)]


class NewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(pattern=ID_PATTERN)
    topic: SupportTopic
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    text: str = Field(min_length=1, max_length=TEXT_MAX)


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(pattern=ID_PATTERN)
    operator: bool = False
    text: str = Field(min_length=1, max_length=TEXT_MAX)


class Closing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operator_id: str = Field(pattern=ID_PATTERN)


class CredentialReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_number: str = Field(pattern=ID_PATTERN)
    full_name: str = Field(min_length=1, max_length=200)
    operator_id: str = Field(pattern=ID_PATTERN)


class SupportController(Controller):
    path = "/internal/v1/accounts/{account_id:str}/support-requests"
    tags = ["support"]

    @get("/", summary="The account's support requests, last updated first", responses=answers(200, a.SupportRequests))
    async def list_requests(
        self, account_id: AccountId, ctx: Accounts,
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        return await support.support_requests(ctx.store.pool, account_id, limit, offset)

    @post("/", status_code=201, summary="File a support request", responses=answers(201, a.SupportRequestChanged))
    async def file(self, account_id: AccountId, data: NewRequest, ctx: Accounts, actor: Actor,
                   idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await support.file_request(ctx, account_id, data.user_id, data.topic, data.title, data.text,
                                            command_metadata(actor), idempotency_key)
        return command_response(result, 201)

    @get("/{request_id:str}", summary="A request and its thread", responses=answers(200, a.SupportThread))
    async def thread(self, account_id: AccountId, request_id: RequestId, ctx: Accounts) -> dict[str, Any]:
        return await support.request_thread(ctx.store.pool, account_id, request_id)

    @post("/{request_id:str}/messages", status_code=200, summary="Answer (operator) or add to the thread",
          responses=answers(200, a.SupportRequestChanged))
    async def message(self, account_id: AccountId, request_id: RequestId, data: NewMessage, ctx: Accounts,
                      actor: Actor, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await support.add_message(ctx, account_id, request_id, data.user_id, data.operator, data.text,
                                           command_metadata(actor), idempotency_key)
        return command_response(result)

    @post("/{request_id:str}/close", status_code=200, summary="Close a request (operator)",
          responses=answers(200, a.SupportRequestChanged))
    async def close(self, account_id: AccountId, request_id: RequestId, data: Closing, ctx: Accounts, actor: Actor,
                    idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await support.close_request(ctx, account_id, request_id, data.operator_id, command_metadata(actor),
                                             idempotency_key)
        return command_response(result)


class KnowledgeBaseController(Controller):
    path = "/internal/v1/knowledge-base"
    tags = ["support"]

    @get("/", summary="The knowledge base's pages", sync_to_thread=False, responses=answers(200, a.KnowledgeBase))
    def pages(self, ctx: Accounts) -> dict[str, Any]:
        return {"pages": [page.model_dump() for page in ctx.knowledge_base]}


class CredentialResetController(Controller):
    path = "/internal/v1/credential-resets"
    tags = ["support"]

    @post("/", status_code=201, summary="Support: a temporary password for the subscriber of a contract and full name",
          responses=answers(201, a.CredentialsReset))
    async def reset(self, data: CredentialReset, ctx: Accounts, actor: Actor) -> dict[str, Any]:
        return await credential_reset.reset_credentials(ctx, data.contract_number, data.full_name, data.operator_id,
                                                        command_metadata(actor))
