"""Subscriber commands on an account, as the gateway forwards them: voluntary blocks, tariff
change; and the organization admin's subscriber search and rename."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.accounts.application import blocks, funds, lines, service_passwords
from services.accounts.application.context import Accounts
from services.accounts.entrypoints import answers as a
from shared.errors import NotFound
from shared.http import ID_PATTERN, AccountId, Actor, IdempotencyKey, command_metadata, command_response
from shared.openapi import answers

__all__ = ["AccountCommandsController", "OrganizationController"]


class NewBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: date
    days: int = Field(ge=1, le=3660)


class TariffChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tariff_id: str = Field(pattern=ID_PATTERN)
    mode: Literal["next_period", "now"] = "next_period"


class ServicePassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=256)


class FundsMoved(BaseModel):
    """Where a payments command left its events: the payments stream and its version."""

    model_config = ConfigDict(extra="forbid")

    stream_id: str = Field(min_length=1, max_length=200)
    stream_version: int = Field(ge=1)
    wait_s: float = Field(default=2.0, gt=0, le=5, description="how long the caller may wait for the funds")


class RenameItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ID_PATTERN)
    line_id: str = Field(pattern=ID_PATTERN)
    subscriber_name: str = Field(min_length=1, max_length=120)


class Renames(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[RenameItem] = Field(min_length=1, max_length=500)


class AccountCommandsController(Controller):
    path = "/internal/v1/accounts/{account_id:str}"
    tags = ["accounts"]

    @post("/blocks", status_code=201, summary="Schedule a voluntary block", responses=answers(201, a.BlockChanged))
    async def schedule_block(self, account_id: AccountId, data: NewBlock, ctx: Accounts, actor: Actor,
                             idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await blocks.schedule_block(ctx, account_id, data.starts_on, data.days, command_metadata(actor),
                                             idempotency_key)
        return command_response(result, 201)

    @post("/blocks/{block_id:str}/cancel", status_code=200, summary="Cancel a block that has not started",
          responses=answers(200, a.BlockChanged))
    async def cancel_block(self, account_id: AccountId, block_id: str, ctx: Accounts, actor: Actor,
                           idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(
            await blocks.cancel_block(ctx, account_id, block_id, command_metadata(actor), idempotency_key))

    @post("/blocks/{block_id:str}/lift", status_code=200, summary="Lift a running block early",
          responses=answers(200, a.BlockChanged))
    async def lift_block(self, account_id: AccountId, block_id: str, ctx: Accounts, actor: Actor,
                         idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await blocks.lift_block(ctx, account_id, block_id, command_metadata(actor), idempotency_key)
        return command_response(result)

    @post("/funds-check", status_code=200,
          summary="Decide the financial block now on the funds after a payments event (read-your-writes)",
          responses=answers(200, a.FundsChecked))
    async def funds_check(self, account_id: AccountId, data: FundsMoved, ctx: Accounts,
                          actor: Actor) -> Response[dict[str, Any]]:
        settled = await funds.settle_funds(ctx, account_id, data.stream_id, data.stream_version,
                                           command_metadata(actor), data.wait_s)
        if settled.result is None:
            raise NotFound("account.not_found", f"account {account_id} not found")
        response = command_response(settled.result)
        response.content["funds_seen"] = settled.seen
        return response

    @post("/lines/{line_id:str}/tariff", status_code=200, summary="Change a line's tariff (next period or now)",
          responses=answers(200, a.TariffChanged))
    async def change_tariff(self, account_id: AccountId, line_id: str, data: TariffChange, ctx: Accounts, actor: Actor,
                            idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await lines.change_tariff(ctx, account_id, line_id, data.tariff_id, data.mode, command_metadata(actor),
                                           idempotency_key)
        return command_response(result)

    @post("/lines/{line_id:str}/password", status_code=200,
          summary="Change the line's service password (internet login, TV account)",
          responses=answers(200, a.ServicePasswordChanged))
    async def service_password(self, account_id: AccountId, line_id: str, data: ServicePassword, ctx: Accounts,
                               actor: Actor, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await service_passwords.change_service_password(ctx, account_id, line_id, data.password,
                                                                 command_metadata(actor), idempotency_key)
        return command_response(result)


class OrganizationController(Controller):
    path = "/internal/v1/organizations/{organization_id:str}"
    tags = ["organizations"]

    @get("/subscribers", summary="Search subscribers by number (% and _), by account, or all",
         responses=answers(200, a.Subscribers))
    async def subscribers(
        self,
        organization_id: str,
        ctx: Accounts,
        number: Annotated[str | None, Parameter(pattern=r"^[0-9%_]{1,20}$", default=None)],
        account_id: Annotated[str | None, Parameter(pattern=ID_PATTERN, default=None)],
        limit: Annotated[int, Parameter(ge=1, le=200, default=50)],
        offset: Annotated[int, Parameter(ge=0, le=1_000_000, default=0)],
    ) -> dict[str, Any]:
        async with ctx.store.pool.acquire() as conn:
            return await lines.search_subscribers(conn, organization_id, number=number, account_id=account_id,
                                                  limit=limit, offset=offset)

    @post("/subscribers/rename", summary="Rename one or many subscribers", responses=answers(201, a.Renamed))
    async def rename(self, organization_id: str, data: Renames, ctx: Accounts, actor: Actor,
                     idempotency_key: IdempotencyKey) -> dict[str, Any]:
        renames = [lines.Rename(i.account_id, i.line_id, i.subscriber_name) for i in data.items]
        results = await lines.rename_subscribers(ctx, organization_id, renames, command_metadata(actor),
                                                 idempotency_key)
        # Each rename answers as its own command would; one refused alone answers its error code.
        return {"renamed": [asdict(r) if isinstance(r, lines.RenameRefused) else command_response(r).content
                            for r in results]}
