"""A mobile line's extras (seed 003): the office records SIM codes and the closed user group; the
gateway reads the line's page and its SIM codes and sets call forwarding and voicemail's e-mail copy."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.accounts.application import mobile
from services.accounts.application.context import Accounts
from services.accounts.domain.mobile import Condition
from services.accounts.entrypoints import answers as a
from shared.http import ID_PATTERN, AccountId, Actor, IdempotencyKey, command_metadata, command_response
from shared.openapi import answers

__all__ = ["MobileController"]

LineId = Annotated[str, Parameter(pattern=ID_PATTERN)]


class SimCodes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pin1: str = Field(pattern=r"^[0-9]{4,8}$")
    puk1: str = Field(pattern=r"^[0-9]{8}$")
    pin2: str = Field(pattern=r"^[0-9]{4,8}$")
    puk2: str = Field(pattern=r"^[0-9]{8}$")


class ClosedUserGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: str | None = Field(max_length=64)


class Forwarding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str | None = Field(max_length=32, description="the number to forward to; null cancels")


class VoicemailCopy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(max_length=320, description="where voicemail is copied; null cancels")


class MobileController(Controller):
    path = "/internal/v1/accounts/{account_id:str}/lines/{line_id:str}"
    tags = ["mobile"]

    @post("/sim-codes", status_code=200, summary="Record the SIM card's PIN and PUK codes (office)",
          responses=answers(200, a.MobileSettingsChanged))
    async def sim_codes(self, account_id: AccountId, line_id: LineId, data: SimCodes, ctx: Accounts,
                        actor: Actor) -> Response[dict[str, Any]]:
        return command_response(await mobile.record_sim_codes(ctx, account_id, line_id, data.model_dump(),
                                                              command_metadata(actor)))

    @put("/closed-user-group", status_code=200, summary="Put the number in a closed user group, or none (office)",
         responses=answers(200, a.MobileSettingsChanged))
    async def closed_user_group(self, account_id: AccountId, line_id: LineId, data: ClosedUserGroup, ctx: Accounts,
                                actor: Actor) -> Response[dict[str, Any]]:
        return command_response(await mobile.set_closed_user_group(ctx, account_id, line_id, data.group,
                                                                   command_metadata(actor)))

    @get("/mobile", summary="The line's closed user group, call forwarding and voicemail copy",
         responses=answers(200, a.MobileSettings))
    async def settings(self, account_id: AccountId, line_id: LineId, ctx: Accounts) -> dict[str, Any]:
        return await mobile.mobile_page(ctx, account_id, line_id)

    @get("/sim", summary="The SIM card's PIN and PUK codes and closed user group", responses=answers(200, a.SimPage))
    async def sim(self, account_id: AccountId, line_id: LineId, ctx: Accounts) -> Response[dict[str, Any]]:
        return Response(await mobile.sim_page(ctx, account_id, line_id), headers={"cache-control": "no-store"})

    @put("/call-forwarding/{condition:str}", status_code=200, summary="Set or cancel call forwarding on a condition",
         responses=answers(200, a.MobileSettingsChanged))
    async def forwarding(self, account_id: AccountId, line_id: LineId, condition: Condition, data: Forwarding,
                         ctx: Accounts, actor: Actor, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await mobile.set_forwarding(ctx, account_id, line_id, condition, data.target,
                                                            command_metadata(actor), idempotency_key))

    @put("/voicemail-copy", status_code=200, summary="Set or cancel voicemail Plus's e-mail copy",
         responses=answers(200, a.MobileSettingsChanged))
    async def voicemail_copy(self, account_id: AccountId, line_id: LineId, data: VoicemailCopy, ctx: Accounts,
                             actor: Actor, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return command_response(await mobile.set_voicemail_copy(ctx, account_id, line_id, data.email,
                                                                command_metadata(actor), idempotency_key))
