"""Add-ons in the cabinet (seeds 002, 003, 004): a line's add-ons with their prices, connect and
disconnect where the line's tariff allows it (the accounts service decides: 422
`add_on.not_self_service`, `add_on.financially_blocked`, ...), and the organization admin's "actions on
services over a list of subscribers" (EXTRAS #22): one action over a list of subscribers, all or nothing
(422 `add_on.bulk_refused` naming every refused line; none changed)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController, Commands, require_visible
from services.gateway.entrypoints.profile import OrganizationId, visible_organization
from shared.db import Pool
from shared.http import ID_PATTERN, IdempotencyKey, replayable_response
from shared.internal_api import InternalClient, Reply
from shared.openapi import BEARER, answers

__all__ = [
    "TV_SUBSCRIPTIONS", "AddOnRequest", "BulkAction", "BulkLine", "LineAddOnsController", "SubscribersAddOnsController",
    "bulk_add_ons",
]

TV_SUBSCRIPTIONS = "/internal/v1/accounts/{account}/lines/{line_id}/tv-subscriptions"

ItemId = Annotated[str, Parameter(pattern=ID_PATTERN)]


class AddOnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(pattern=ID_PATTERN)


class BulkLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ID_PATTERN)
    line_id: str = Field(pattern=ID_PATTERN)


class BulkAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["connect", "disconnect"]
    service_id: str = Field(pattern=ID_PATTERN)
    items: list[BulkLine] = Field(min_length=1, max_length=500)


class LineAddOnsController(AccountController):
    tags = ["add-ons"]

    @get("/lines/{line_id:str}/add-ons", summary="The line's add-ons: price, connected, changeable here",
         responses=answers(200, a.AddOnOptions))
    async def options(self, account: str, line_id: ItemId, accounts: InternalClient) -> dict[str, Any]:
        return await accounts.call("GET", f"/internal/v1/accounts/{account}/lines/{line_id}/add-ons/options")

    @post("/lines/{line_id:str}/add-ons", status_code=200, summary="Connect an add-on (where the tariff allows)",
          responses=answers(200, a.AddOnSwitched))
    async def connect(self, account: str, line_id: ItemId, data: AddOnRequest, accounts_commands: Commands,
                      idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send(
            "POST", f"/internal/v1/accounts/{account}/lines/{line_id}/add-ons/self-service",
            {"service_id": data.service_id, "action": "connect"}, idempotency_key)

    @post("/lines/{line_id:str}/add-ons/{service_id:str}/disconnect", status_code=200,
          summary="Disconnect an add-on (where the tariff allows)", responses=answers(200, a.AddOnSwitched))
    async def disconnect(self, account: str, line_id: ItemId, service_id: ItemId, accounts_commands: Commands,
                         idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send(
            "POST", f"/internal/v1/accounts/{account}/lines/{line_id}/add-ons/self-service",
            {"service_id": service_id, "action": "disconnect"}, idempotency_key)

    # TV partner subscriptions (seed 002, TELEPHONY.md T-12): Smotreshka and 24chasaTV packages of a
    # `tv` line; the partner's refusal is 422 `tv.partner_refused`, no answer in time 503
    # `tv.partner_unavailable` (nothing changed either way).
    @get("/lines/{line_id:str}/tv-subscriptions", summary="The TV partners' packages of a TV line",
         responses=answers(200, a.TvSubscriptions))
    async def tv_packages(self, account: str, line_id: ItemId, accounts: InternalClient) -> dict[str, Any]:
        return await accounts.call("GET", TV_SUBSCRIPTIONS.format(account=account, line_id=line_id))

    @post("/lines/{line_id:str}/tv-subscriptions", status_code=200,
          summary="Connect and activate a TV partner's package (Smotreshka, 24chasaTV)",
          responses=answers(200, a.TvSubscriptionChanged))
    async def tv_connect(self, account: str, line_id: ItemId, data: AddOnRequest, accounts_commands: Commands,
                         idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("POST", TV_SUBSCRIPTIONS.format(account=account, line_id=line_id),
                                            {"service_id": data.service_id}, idempotency_key)

    @post("/lines/{line_id:str}/tv-subscriptions/{service_id:str}/end", status_code=200,
          summary="End a TV partner's package", responses=answers(200, a.TvSubscriptionChanged))
    async def tv_end(self, account: str, line_id: ItemId, service_id: ItemId, accounts_commands: Commands,
                     idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        path = TV_SUBSCRIPTIONS.format(account=account, line_id=line_id) + f"/{service_id}/end"
        return await accounts_commands.send("POST", path, key=idempotency_key)


class SubscribersAddOnsController(Controller):
    path = "/api/v1/organizations/{organization_id:str}/subscribers/add-ons"
    tags = ["organization"]
    security = [{BEARER: []}]

    @post("/", status_code=200, summary="One add-on action over a list of subscribers, all or nothing",
          responses=answers(200, a.BulkAddOns))
    async def bulk(self, organization_id: OrganizationId, data: BulkAction, caller: Caller, pool: Pool,
                   accounts_commands: Commands, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        reply = await bulk_add_ons(organization_id, data, caller, pool, accounts_commands, idempotency_key)
        return replayable_response(reply.body, 200, replayed=reply.replayed)


async def bulk_add_ons(organization_id: str, data: BulkAction, caller: Caller, pool: Pool, accounts_commands: Commands,
                       key: str | None) -> Reply:
    """One action over a list of the organization's subscribers once the caller may see each account,
    all or nothing (the accounts service decides: 422 `add_on.bulk_refused` naming every refused
    line); answered once the cabinet shows every change."""
    visible_organization(caller, organization_id)
    for account_id in {item.account_id for item in data.items}:
        await require_visible(caller, account_id, pool)
    reply = await accounts_commands.reply(
        "POST", f"/internal/v1/organizations/{organization_id}/subscribers/add-ons", data.model_dump(), key)
    current = True
    for changed in reply.body.get("changed", []):
        current = bool(await accounts_commands.caught_up(changed.get("stream_id"), changed.get("stream_version"))) \
            and current
    reply.body["read_model_current"] = current
    return reply
