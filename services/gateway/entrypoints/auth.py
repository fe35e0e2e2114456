"""Cabinet login: password or SMS code, refresh, logout, password change, recovery.

Credentials are checked by the accounts service; the gateway counts attempts, issues the access
token and keeps the sessions (the auth room: auth/rate_limits.py, tokens.py, sessions.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.auth.rate_limits import count_attempt, forget, login_bucket_key
from services.gateway.auth.sessions import end_user_sessions, open_session, revoke_session, rotate_refresh_token
from services.gateway.auth.tokens import AccessClaims, issue_access_token
from services.gateway.entrypoints import answers as a
from services.gateway.projections.cabinet_accounts import CabinetAccounts
from services.gateway.projections.cabinet_accounts_queries import organization_accounts
from services.gateway.settings import GatewaySettings
from shared.clock import Clock
from shared.db import Pool
from shared.errors import DomainError
from shared.internal_api import InternalClient
from shared.logging import get_logger
from shared.openapi import BEARER, answers, problems
from shared.projection import wait_for_stream

__all__ = [
    "AuthController", "CodeLogin", "CodeRequest", "PasswordChange", "PasswordLogin", "Recovery", "change_password",
    "client_address", "code_login", "password_login", "recover_password", "refresh_tokens", "send_login_code",
]

log = get_logger(__name__)


class PasswordLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64, description="contract number or phone, e.g. 1015")
    password: str = Field(min_length=1, max_length=128)


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=9, max_length=32, pattern=r"^\+?[0-9][0-9 ()-]*[0-9]$",
                       description="digits, with an optional + and spaces, brackets, hyphens: e.g. 375291234567")


class CodeLogin(CodeRequest):
    code: str = Field(pattern=r"^[0-9]{4,8}$")


class Recovery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=64)


class RefreshToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=20, max_length=200)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)
    contact_phone: str | None = Field(default=None, max_length=32, description="asked at the first login")


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


async def _tokens(pool: Pool, settings: GatewaySettings, now: datetime, claims: dict[str, Any],
                  session: tuple[str, str] | None = None) -> dict[str, Any]:
    """An access token for `claims` and the session's refresh token (a new session if none)."""
    session_id, refresh = session or await open_session(
        pool, claims["user_id"], now, timedelta(seconds=settings.refresh_token_ttl_s),
        must_change_password=bool(claims["must_change_password"]))
    access = AccessClaims(sub=claims["user_id"], role=claims["role"], acc=list(claims["account_ids"]),
                          org=claims.get("organization_id"), mcp=bool(claims["must_change_password"]), sid=session_id)
    token, expires = issue_access_token(access, settings.token_secret, now,
                                        timedelta(seconds=settings.access_token_ttl_s))
    user = {k: claims.get(k) for k in ("user_id", "role", "login", "account_ids", "organization_id",
                                       "must_change_password", "contact_phone_missing", "language")}
    return {"access_token": token, "token_type": "Bearer", "expires_in": expires - int(now.timestamp()),
            "refresh_token": refresh, "user": user}


async def limit_attempts(pool: Pool, settings: GatewaySettings, clock: Clock, bucket: str, limit: int,
                         address: str) -> None:
    """Count one attempt against `bucket` and against the client's address (429 past either limit)."""
    window, now = timedelta(seconds=settings.rate_limit_window_s), clock.now()
    await count_attempt(pool, bucket, limit, window, now)
    await count_attempt(pool, f"address:{address}", settings.login_attempts_per_address, window, now)


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


async def password_login(data: PasswordLogin, address: str, pool: Pool, accounts: InternalClient, clock: Clock,
                         settings: GatewaySettings) -> dict[str, Any]:
    """Log in by contract number or phone and password: the tokens (the API's and the pages' login)."""
    bucket = f"login:{login_bucket_key(data.login)}"
    await limit_attempts(pool, settings, clock, bucket, settings.login_attempts_per_login, address)
    claims = await accounts.call("POST", "/internal/v1/auth/password", json=data.model_dump())
    await forget(pool, bucket)
    return await _tokens(pool, settings, clock.now(), claims)


async def send_login_code(data: CodeRequest, address: str, pool: Pool, accounts: InternalClient, clock: Clock,
                          settings: GatewaySettings) -> None:
    phone = _digits(data.phone)
    await limit_attempts(pool, settings, clock, f"code-sent:{phone}", settings.codes_sent_per_phone, address)
    await accounts.call("POST", "/internal/v1/auth/codes", json={"phone": phone}, actor="cabinet")


async def code_login(data: CodeLogin, address: str, pool: Pool, accounts: InternalClient, clock: Clock,
                     settings: GatewaySettings) -> dict[str, Any]:
    phone = _digits(data.phone)
    await limit_attempts(pool, settings, clock, f"code:{phone}", settings.code_checks_per_phone, address)
    claims = await accounts.call("POST", "/internal/v1/auth/codes/verify", json={"phone": phone, "code": data.code})
    return await _tokens(pool, settings, clock.now(), claims)


async def refresh_tokens(refresh_token: str, pool: Pool, accounts: InternalClient, clock: Clock,
                         settings: GatewaySettings) -> dict[str, Any]:
    """Swap a refresh token for new tokens of the same session (401 when it is not valid)."""
    now = clock.now()
    rotated = await rotate_refresh_token(pool, refresh_token, now, timedelta(seconds=settings.refresh_token_ttl_s))
    claims = await accounts.call("GET", f"/internal/v1/users/{rotated.user_id}/claims")
    # A session opened with a temporary password stays bound to change it: the user's claims
    # alone do not say that a temporary password was used. Changing the password opens a new session.
    claims["must_change_password"] = bool(claims["must_change_password"] or rotated.must_change_password)
    return await _tokens(pool, settings, now, claims, (rotated.session_id, rotated.refresh_token))


async def recover_password(data: Recovery, address: str, pool: Pool, accounts: InternalClient, clock: Clock,
                           settings: GatewaySettings) -> None:
    """E-mail a temporary password; the same outcome whatever happened (but 429), so it tells
    nobody who has a login."""
    await limit_attempts(pool, settings, clock, f"recovery:{login_bucket_key(data.login)}",
                         settings.recoveries_per_login, address)
    try:
        await accounts.call("POST", "/internal/v1/auth/recovery", json=data.model_dump(), actor="cabinet")
    except DomainError as error:
        if error.status == 429:
            raise
        log.warning("recovery.failed", code=error.code, status=error.status)


async def change_password(data: PasswordChange, session: Caller, address: str, pool: Pool, accounts: InternalClient,
                          clock: Clock, settings: GatewaySettings) -> dict[str, Any]:
    """Change the password (the first-login and temporary one too, with the contact phone asked at
    the first login): every session of the user ends, a new one opens; its tokens."""
    await limit_attempts(pool, settings, clock, f"password:{session.user_id}", settings.login_attempts_per_login,
                         address)
    users = f"/internal/v1/users/{session.user_id}"
    if data.contact_phone:
        await accounts.call("PATCH", f"{users}/profile", json={"contact_phone": data.contact_phone},
                            actor=session.actor)
    result = await accounts.call("POST", f"{users}/password", actor=session.actor,
                                 json={"current_password": data.current_password, "new_password": data.new_password})
    await forget(pool, f"password:{session.user_id}")
    now = clock.now()
    await end_user_sessions(pool, session.user_id, now)
    await wait_for_stream(pool, CabinetAccounts.name, result["stream_id"], result["stream_version"],
                          settings.read_your_writes_timeout_s)
    return await _tokens(pool, settings, now, result)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", status_code=200, summary="Log in by contract number or phone and password",
          responses={**answers(200, a.Tokens), **problems(401, 403, 429)})
    async def login(self, request: Request[Any, Any, Any], data: PasswordLogin, pool: Pool, accounts: InternalClient,
                    clock: Clock, gateway_settings: GatewaySettings) -> dict[str, Any]:
        return await password_login(data, client_address(request), pool, accounts, clock, gateway_settings)

    @post("/code", status_code=202, summary="Send a one-time SMS login code (valid for one visit)",
          responses={**answers(202, a.Accepted), **problems(429)})
    async def send_code(self, request: Request[Any, Any, Any], data: CodeRequest, pool: Pool,
                        accounts: InternalClient, clock: Clock, gateway_settings: GatewaySettings) -> dict[str, Any]:
        await send_login_code(data, client_address(request), pool, accounts, clock, gateway_settings)
        return {"status": "accepted", "detail": "if the number is registered, a code was sent to it"}

    @post("/code/login", status_code=200, summary="Log in with the SMS code",
          responses={**answers(200, a.Tokens), **problems(401, 403, 429)})
    async def code_login(self, request: Request[Any, Any, Any], data: CodeLogin, pool: Pool,
                         accounts: InternalClient, clock: Clock, gateway_settings: GatewaySettings) -> dict[str, Any]:
        return await code_login(data, client_address(request), pool, accounts, clock, gateway_settings)

    @post("/recovery", status_code=202, summary="E-mail a temporary password (valid 24 h)",
          responses={**answers(202, a.Accepted), **problems(429)})
    async def recover(self, request: Request[Any, Any, Any], data: Recovery, pool: Pool, accounts: InternalClient,
                      clock: Clock, gateway_settings: GatewaySettings) -> dict[str, Any]:
        await recover_password(data, client_address(request), pool, accounts, clock, gateway_settings)
        return {"status": "accepted", "detail": "if the login is known, a temporary password was e-mailed"}

    @post("/refresh", status_code=200, summary="Swap a refresh token for new tokens",
          responses={**answers(200, a.Tokens), **problems(401)})
    async def refresh(self, data: RefreshToken, pool: Pool, accounts: InternalClient, clock: Clock,
                      gateway_settings: GatewaySettings) -> dict[str, Any]:
        return await refresh_tokens(data.refresh_token, pool, accounts, clock, gateway_settings)

    @post("/logout", status_code=204, summary="End the session: its refresh and access tokens stop working")
    async def logout(self, data: RefreshToken, pool: Pool, clock: Clock) -> None:
        await revoke_session(pool, data.refresh_token, clock.now())

    @post("/password", status_code=200, summary="Change the password (also the first-login and temporary one)",
          security=[{BEARER: []}], responses={**answers(200, a.Tokens), **problems(403, 429)})
    async def change_password(self, request: Request[Any, Any, Any], data: PasswordChange, session: Caller,
                              pool: Pool, accounts: InternalClient, clock: Clock,
                              gateway_settings: GatewaySettings) -> dict[str, Any]:
        return await change_password(data, session, client_address(request), pool, accounts, clock,
                                     gateway_settings)

    @get("/me", summary="Who is logged in", security=[{BEARER: []}], responses=answers(200, a.Me))
    async def me(self, session: Caller, pool: Pool) -> dict[str, Any]:
        accounts = session.account_ids
        if session.sees_organization is not None:
            accounts = accounts | await organization_accounts(pool, session.sees_organization)
        return {"user_id": session.user_id, "role": session.role, "account_ids": sorted(accounts),
                "organization_id": session.organization_id, "must_change_password": session.must_change_password}
