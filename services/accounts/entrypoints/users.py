"""A cabinet user's own things, as the gateway forwards them: claims, password, profile, SMS
phone confirmation, notification preferences."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, patch, post
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.accounts.application import login, users
from services.accounts.application.context import Accounts
from services.accounts.domain.user_events import Channel, Language
from services.accounts.entrypoints import answers as a
from shared.http import Actor, IdempotencyKey, command_metadata, command_response
from shared.openapi import answers, problems

__all__ = ["UsersController"]

Topic = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


class ProfileChange(BaseModel):
    """Only the fields sent change; `null` clears one."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=32)
    sms_phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=320)
    address: str | None = Field(default=None, max_length=500)
    language: Language | None = None
    passport: str | None = Field(default=None, max_length=200)


class CodeConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9]{4,8}$")


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferences: dict[Topic, list[Channel]] = Field(max_length=100)


class UsersController(Controller):
    path = "/internal/v1/users/{user_id:str}"
    tags = ["users"]

    @get("/claims", summary="Who the user is, for a token refresh", responses=answers(200, a.Claims))
    async def claims(self, user_id: str, ctx: Accounts) -> dict[str, Any]:
        return (await login.claims_of(ctx, user_id)).as_dict()

    @post("/password", status_code=200, summary="Change the password (the current or the temporary one is required)",
          responses={**answers(200, a.ClaimsChanged), **problems(401, 403)})
    async def change_password(self, user_id: str, data: PasswordChange, ctx: Accounts,
                              actor: Actor) -> Response[dict[str, Any]]:
        result = await login.change_password(ctx, user_id, data.current_password, data.new_password,
                                             command_metadata(actor))
        return command_response(result)

    @get("/profile", summary="The user's profile", responses=answers(200, a.Profile))
    async def profile(self, user_id: str, ctx: Accounts) -> dict[str, Any]:
        return await users.profile_of(ctx, user_id)

    @patch("/profile", summary="Change profile fields", responses=answers(200, a.ProfileChanged))
    async def change_profile(self, user_id: str, data: ProfileChange, ctx: Accounts, actor: Actor,
                             idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        changes = data.model_dump(exclude_unset=True)
        if changes.get("language") is None:
            changes.pop("language", None)
        result = await users.update_profile(ctx, user_id, changes, command_metadata(actor), idempotency_key)
        return command_response(result)

    @post("/sms-phone/code", status_code=202, summary="Send a confirmation code to the SMS phone",
          responses=answers(202, a.CodeSent))
    async def send_sms_phone_code(self, user_id: str, ctx: Accounts) -> dict[str, Any]:
        return await users.send_sms_phone_code(ctx, user_id)

    @post("/sms-phone/confirm", status_code=200, summary="Confirm the SMS phone with the code",
          responses={**answers(200, a.ProfileChanged), **problems(401)})
    async def confirm_sms_phone(self, user_id: str, data: CodeConfirmation, ctx: Accounts,
                                actor: Actor) -> Response[dict[str, Any]]:
        return command_response(await users.confirm_sms_phone(ctx, user_id, data.code, command_metadata(actor)))

    @post("/notification-preferences", status_code=200, summary="Which notifications go by SMS, by e-mail",
          responses=answers(200, a.PreferencesChanged))
    async def preferences(self, user_id: str, data: Preferences, ctx: Accounts, actor: Actor,
                          idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await users.change_preferences(ctx, user_id, dict(data.preferences), command_metadata(actor),
                                                idempotency_key)
        return command_response(result)
