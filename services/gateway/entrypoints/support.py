"""Support requests of an account (seed 000 «Заявки», seeds 003/004 «Обратная связь») and the
knowledge base beside them (seed 000 «База знаний»).

Whoever sees the account files a request and adds to its thread; an operator's message is an
answer; only operators close one. The requests live in the accounts service (reads are asked of it
as the tariff options are); every change notifies the request's author through the notifications
service (its catalogue's SupportRequest* rules)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController, Commands, only
from shared.errors import Forbidden
from shared.http import ID_PATTERN, IdempotencyKey
from shared.internal_api import InternalClient
from shared.openapi import BEARER, answers

__all__ = ["CredentialResetController", "KnowledgeBaseController", "SupportRequestsController"]

RequestId = Annotated[str, Parameter(pattern=ID_PATTERN)]
Topic = Literal["internet", "tv", "telephony", "payments", "documents", "other"]


class NewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: Topic
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=4000)


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class CredentialReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_number: str = Field(pattern=ID_PATTERN, description="the contract number (the cabinet login)")
    full_name: str = Field(min_length=1, max_length=200, description="as the subscriber names it")


class SupportRequestsController(AccountController):
    tags = ["support"]

    @get("/support-requests", summary="Support requests: id, title, last update, response time",
         responses=answers(200, a.SupportRequests))
    async def list_requests(
        self, account: str, accounts: InternalClient,
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        return await accounts.call("GET", f"/internal/v1/accounts/{account}/support-requests",
                                   params={"limit": limit, "offset": offset})

    @post("/support-requests", status_code=201, summary="File a support request",
          responses=answers(201, a.SupportRequestChanged))
    async def file(self, account: str, data: NewRequest, caller: Caller, accounts_commands: Commands,
                   idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("POST", f"/internal/v1/accounts/{account}/support-requests",
                                            {**data.model_dump(), "user_id": caller.user_id}, idempotency_key)

    @get("/support-requests/{request_id:str}", summary="A support request and its thread",
         responses=answers(200, a.SupportThread))
    async def thread(self, account: str, request_id: RequestId, accounts: InternalClient) -> dict[str, Any]:
        return await accounts.call("GET", f"/internal/v1/accounts/{account}/support-requests/{request_id}")

    @post("/support-requests/{request_id:str}/messages", status_code=200,
          summary="Add to the thread (an operator's message answers the request)",
          responses=answers(200, a.SupportRequestChanged))
    async def message(self, account: str, request_id: RequestId, data: NewMessage, caller: Caller,
                      accounts_commands: Commands, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send(
            "POST", f"/internal/v1/accounts/{account}/support-requests/{request_id}/messages",
            {"text": data.text, "user_id": caller.user_id, "operator": caller.role == "operator"}, idempotency_key)

    @post("/support-requests/{request_id:str}/close", status_code=200, summary="Close a support request (operators)",
          responses=answers(200, a.SupportRequestChanged),
          opt=only(("operator",), "support_request.operator_only", "only support staff close a request"))
    async def close(self, account: str, request_id: RequestId, caller: Caller, accounts_commands: Commands,
                    idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send(
            "POST", f"/internal/v1/accounts/{account}/support-requests/{request_id}/close",
            {"operator_id": caller.user_id}, idempotency_key)


class KnowledgeBaseController(Controller):
    path = "/api/v1/knowledge-base"
    tags = ["support"]
    security = [{BEARER: []}]

    @get("/", summary="The knowledge base's pages", responses=answers(200, a.KnowledgeBase))
    async def pages(self, caller: Caller, accounts: InternalClient) -> dict[str, Any]:
        return await accounts.call("GET", "/internal/v1/knowledge-base")


class CredentialResetController(Controller):
    path = "/api/v1/support/credential-resets"
    tags = ["support"]
    security = [{BEARER: []}]

    @post("/", status_code=201, summary="Support: send a subscriber a temporary password (contract number and"
                                         " full name)", responses=answers(201, a.CredentialsReset))
    async def reset(self, data: CredentialReset, caller: Caller, accounts: InternalClient) -> dict[str, Any]:
        """Operators only (403 `credentials.operator_only`); a contract number and name that do not
        match answer 422 `credentials.identity_mismatch`. The password goes to the subscriber's
        e-mail (else phone) through the notifications service; the operator never sees it."""
        if caller.role != "operator":
            raise Forbidden("credentials.operator_only", "only support staff reset a subscriber's credentials")
        return await accounts.call("POST", "/internal/v1/credential-resets", actor=caller.actor,
                                   json={**data.model_dump(), "operator_id": caller.user_id})
