"""Add-ons from the cabinet, as the gateway forwards them: a line's options, a subscriber's own
connect or disconnect, an organization admin's one action over a list of subscribers, and a TV
line's partner subscriptions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.accounts.application import add_ons, tv
from services.accounts.application.context import Accounts
from services.accounts.entrypoints import answers as a
from shared.http import (
    ID_PATTERN,
    AccountId,
    Actor,
    IdempotencyKey,
    command_metadata,
    command_response,
    replayable_response,
)
from shared.openapi import answers

__all__ = ["AddOnsController", "BulkAddOnsController", "TvSubscriptionsController"]

LineId = Annotated[str, Parameter(pattern=ID_PATTERN)]


class AddOnAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(pattern=ID_PATTERN)
    action: add_ons.Action


class TvPackage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(pattern=ID_PATTERN)


class BulkLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ID_PATTERN)
    line_id: str = Field(pattern=ID_PATTERN)


class BulkAction(AddOnAction):
    items: list[BulkLine] = Field(min_length=1, max_length=500)


class AddOnsController(Controller):
    path = "/internal/v1/accounts/{account_id:str}/lines/{line_id:str}/add-ons"
    tags = ["add-ons"]

    @get("/options", summary="The line's add-ons: price, connected, changeable by the subscriber",
         responses=answers(200, a.AddOnOptions))
    async def options(self, account_id: AccountId, line_id: LineId, ctx: Accounts) -> dict[str, Any]:
        return await add_ons.add_on_options(ctx, account_id, line_id)

    @post("/self-service", status_code=200, summary="Connect or disconnect an add-on as the tariff allows",
          responses=answers(200, a.AddOnSwitched))
    async def self_service(self, account_id: AccountId, line_id: LineId, data: AddOnAction, ctx: Accounts,
                           actor: Actor, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await add_ons.change_add_on(ctx, account_id, line_id, data.action, data.service_id,
                                             command_metadata(actor), idempotency_key)
        return command_response(result)


class BulkAddOnsController(Controller):
    path = "/internal/v1/organizations/{organization_id:str}/subscribers/add-ons"
    tags = ["add-ons"]

    @post("/", status_code=200, summary="One add-on action over a list of subscribers, all or nothing",
          responses=answers(200, a.BulkAddOns))
    async def bulk(self, organization_id: Annotated[str, Parameter(pattern=ID_PATTERN)], data: BulkAction,
                   ctx: Accounts, actor: Actor, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        items = [add_ons.BulkItem(i.account_id, i.line_id) for i in data.items]
        result = await add_ons.apply_to_subscribers(ctx, organization_id, data.action, data.service_id, items,
                                                    command_metadata(actor), idempotency_key)
        replayed = result.pop("replayed")
        return replayable_response(result, 200, replayed=replayed)


class TvSubscriptionsController(Controller):
    path = "/internal/v1/accounts/{account_id:str}/lines/{line_id:str}/tv-subscriptions"
    tags = ["add-ons"]

    @get("/", summary="The TV partners' packages of a TV line", responses=answers(200, a.TvSubscriptions))
    async def packages(self, account_id: AccountId, line_id: LineId, ctx: Accounts) -> dict[str, Any]:
        return await tv.tv_subscriptions(ctx, account_id, line_id)

    @post("/", status_code=200, summary="Connect and activate a TV partner's package",
          responses=answers(200, a.TvSubscriptionChanged))
    async def connect(self, account_id: AccountId, line_id: LineId, data: TvPackage, ctx: Accounts, actor: Actor,
                      idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await tv.change_tv_subscription(ctx, account_id, line_id, "connect", data.service_id,
                                                                command_metadata(actor), idempotency_key))

    @post("/{service_id:str}/end", status_code=200, summary="End a TV partner's package",
          responses=answers(200, a.TvSubscriptionChanged))
    async def end(self, account_id: AccountId, line_id: LineId, service_id: LineId, ctx: Accounts, actor: Actor,
                  idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await tv.change_tv_subscription(ctx, account_id, line_id, "end", service_id,
                                                                command_metadata(actor), idempotency_key))
