"""Credential checks the gateway forwards to: a login answers the user's claims, or 401 with a
stable code. Requests that send a secret answer 202 whether or not the login exists."""

from __future__ import annotations

from typing import Any

from litestar import Controller, post
from pydantic import BaseModel, ConfigDict, Field

from services.accounts.application import login
from services.accounts.application.context import Accounts
from services.accounts.entrypoints import answers as a
from shared.http import Actor, command_metadata
from shared.openapi import answers, problems

__all__ = ["AuthController"]


class PasswordLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64, description="contract number or phone")
    password: str = Field(min_length=1, max_length=128)


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=1, max_length=32)


class CodeLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(pattern=r"^[0-9]{4,8}$")


class Recovery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64)


class AuthController(Controller):
    path = "/internal/v1/auth"
    tags = ["auth"]

    @post("/password", status_code=200, summary="Check a login (contract number or phone) and password",
          responses={**answers(200, a.Claims), **problems(401)})
    async def password(self, data: PasswordLogin, ctx: Accounts) -> dict[str, Any]:
        return (await login.verify_password(ctx, data.login, data.password)).as_dict()

    @post("/codes", status_code=202, summary="Send a one-time SMS login code to a registered phone",
          responses=answers(202, a.Accepted))
    async def send_code(self, data: CodeRequest, ctx: Accounts, actor: Actor) -> dict[str, Any]:
        await login.send_login_code(ctx, data.phone, command_metadata(actor))
        return {"status": "accepted"}

    @post("/codes/verify", status_code=200, summary="Log in with a one-time SMS code (once)",
          responses={**answers(200, a.Claims), **problems(401)})
    async def verify_code(self, data: CodeLogin, ctx: Accounts) -> dict[str, Any]:
        return (await login.verify_code(ctx, data.phone, data.code)).as_dict()

    @post("/recovery", status_code=202, summary="E-mail a temporary password valid 24 h",
          responses=answers(202, a.Accepted))
    async def recover(self, data: Recovery, ctx: Accounts, actor: Actor) -> dict[str, Any]:
        await login.recover_password(ctx, data.login, command_metadata(actor))
        return {"status": "accepted"}
