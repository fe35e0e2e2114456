"""The caller's profile (seeds 000, 002): name, phones, SMS phone confirmed by a code, e-mail,
address, passport data (shown masked), language; and the organization admin's subscriber pages
(seeds 003, 004): search by number with `%` and `_`, by account, or all; rename one or many."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.auth.rate_limits import count_attempt
from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import Commands, require_visible
from services.gateway.projections.cabinet_accounts_queries import organization_subscribers, user_profile
from services.gateway.settings import GatewaySettings
from shared.clock import Clock
from shared.db import Pool
from shared.errors import NotFound
from shared.http import ID_PATTERN, IdempotencyKey, replayable_response
from shared.internal_api import InternalClient, Reply
from shared.openapi import BEARER, answers, problems

__all__ = [
    "CodeConfirmation", "OrganizationController", "OrganizationId", "ProfileController", "RenameItem", "Renames",
    "confirm_sms_phone", "rename_subscribers", "send_sms_phone_code", "visible_organization",
]


class ProfileChange(BaseModel):
    """Only the fields sent change; `null` clears one."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=32)
    sms_phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=320)
    address: str | None = Field(default=None, max_length=500)
    language: str | None = Field(default=None, pattern=r"^(ru|en)$")
    passport: str | None = Field(default=None, max_length=200)


class CodeConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9]{4,8}$")


class RenameItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ID_PATTERN)
    line_id: str = Field(pattern=ID_PATTERN)
    subscriber_name: str = Field(min_length=1, max_length=120)


class Renames(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[RenameItem] = Field(min_length=1, max_length=500)


class ProfileController(Controller):
    path = "/api/v1/profile"
    tags = ["profile"]
    security = [{BEARER: []}]

    @get("/", summary="The caller's profile", responses={**answers(200, a.ProfilePage), **problems(404)})
    async def profile(self, caller: Caller, pool: Pool) -> dict[str, Any]:
        found = await user_profile(pool, caller.user_id)
        if found is None:
            raise NotFound("user.not_found", "no profile yet")
        return found

    @patch("/", summary="Change profile fields (a new SMS phone needs confirming)",
            responses=answers(200, a.ProfileChanged))
    async def change(self, data: ProfileChange, caller: Caller, accounts_commands: Commands,
                     idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("PATCH", f"/internal/v1/users/{caller.user_id}/profile",
                                            data.model_dump(exclude_unset=True), idempotency_key)

    @post("/sms-phone/code", status_code=202, summary="Send a confirmation code to the SMS phone",
          responses={**answers(202, a.CodeSent), **problems(429)})
    async def send_code(self, request: Request[Any, Any, Any], caller: Caller, pool: Pool,
                        accounts: InternalClient, clock: Clock, gateway_settings: GatewaySettings) -> dict[str, Any]:
        return await send_sms_phone_code(caller, pool, accounts, clock, gateway_settings)

    @post("/sms-phone/confirm", status_code=200, summary="Confirm the SMS phone with the code",
          responses={**answers(200, a.ProfileChanged), **problems(401, 429)})
    async def confirm(self, data: CodeConfirmation, caller: Caller, pool: Pool, accounts_commands: Commands,
                      clock: Clock, gateway_settings: GatewaySettings) -> Response[dict[str, Any]]:
        reply = await confirm_sms_phone(data, caller, pool, accounts_commands, clock, gateway_settings)
        return replayable_response(reply.body, accounts_commands.status, replayed=reply.replayed)


async def send_sms_phone_code(caller: Caller, pool: Pool, accounts: InternalClient, clock: Clock,
                              settings: GatewaySettings) -> dict[str, Any]:
    """A confirmation code to the caller's SMS phone (so many per window)."""
    await count_attempt(pool, f"code-sent:user:{caller.user_id}", settings.codes_sent_per_phone,
                        timedelta(seconds=settings.rate_limit_window_s), clock.now())
    return await accounts.call("POST", f"/internal/v1/users/{caller.user_id}/sms-phone/code", actor=caller.actor)


async def confirm_sms_phone(data: CodeConfirmation, caller: Caller, pool: Pool, accounts_commands: Commands,
                            clock: Clock, settings: GatewaySettings) -> Reply:
    """Confirm the SMS phone with the code (so many checks per window)."""
    await count_attempt(pool, f"code:user:{caller.user_id}", settings.code_checks_per_phone,
                        timedelta(seconds=settings.rate_limit_window_s), clock.now())
    return await accounts_commands.reply("POST", f"/internal/v1/users/{caller.user_id}/sms-phone/confirm",
                                         data.model_dump())


OrganizationId = Annotated[str, Parameter(pattern=ID_PATTERN)]


def visible_organization(caller: Caller, organization_id: str) -> None:
    if not caller.may_see_organization(organization_id):
        raise NotFound("organization.not_found", f"organization {organization_id} not found")


class OrganizationController(Controller):
    path = "/api/v1/organizations/{organization_id:str}"
    tags = ["organization"]
    security = [{BEARER: []}]

    @get("/subscribers", summary="Subscribers by number (% any digits, _ one digit), by account, or all",
         responses=answers(200, a.Subscribers))
    async def subscribers(
        self, organization_id: OrganizationId, caller: Caller, pool: Pool,
        number: Annotated[str | None, Parameter(pattern=r"^\+?[0-9%_]{1,20}$", default=None)],
        account_id: Annotated[str | None, Parameter(pattern=ID_PATTERN, default=None)],
        limit: Annotated[int, Parameter(ge=1, le=200, default=50)],
        offset: Annotated[int, Parameter(ge=0, le=1_000_000, default=0)],
    ) -> dict[str, Any]:
        visible_organization(caller, organization_id)
        if account_id is not None:
            await require_visible(caller, account_id, pool)
        return await organization_subscribers(pool, organization_id, number=number.lstrip("+") if number else None,
                                              account_id=account_id, limit=limit, offset=offset)

    @post("/subscribers/rename", status_code=200, summary="Rename one or many subscribers",
          responses=answers(200, a.Renamed))
    async def rename(self, organization_id: OrganizationId, data: Renames, caller: Caller, pool: Pool,
                     accounts_commands: Commands, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        reply = await rename_subscribers(organization_id, data, caller, pool, accounts_commands, idempotency_key)
        return replayable_response(reply.body, 200, replayed=reply.replayed)


async def rename_subscribers(organization_id: str, data: Renames, caller: Caller, pool: Pool,
                             accounts_commands: Commands, key: str | None) -> Reply:
    """Rename one or many of the organization's subscribers once the caller may see each account;
    answered once the cabinet shows every rename."""
    visible_organization(caller, organization_id)
    for item in data.items:
        await require_visible(caller, item.account_id, pool)
    reply = await accounts_commands.reply(
        "POST", f"/internal/v1/organizations/{organization_id}/subscribers/rename", data.model_dump(), key)
    for renamed in reply.body.get("renamed", []):
        await accounts_commands.caught_up(renamed.get("stream_id"), renamed.get("stream_version"))
    return reply
