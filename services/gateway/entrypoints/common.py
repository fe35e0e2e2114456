"""What the cabinet's routes share: who calls (`session`, `caller`), the account in the path once
the caller may see it (`AccountController`, `account`), what a page answered by one read needs
(`Page`), and commands to the service that owns them (`Commands`).

Who calls comes from the signed access token, and its session must not have ended (logout, a
reused refresh token, a password change: auth/sessions.py): `session` asks that by primary key, a
`Page` route asks it inside the page's one read. Either way an ended session's access token gets
401 `auth.session_ended` at its next request, on any worker.

A command goes through shared/internal_api.py with the internal token, the caller as `x-actor`, the
correlation id and the client's `Idempotency-Key` as sent (at most 200 characters, checked where it
enters: shared.http.IdempotencyKey); the owning service remembers it under that actor
(shared.commands.scoped_key), so two users' keys never collide. A domain error comes back unchanged.
The answer names the stream and version its events landed at; the gateway waits, briefly and
bounded, until its read model has applied them, so the caller's next query shows the change
(`read_model_current` says whether the wait succeeded); a repeat the owner answered as such
(`idempotent-replayed: true`) is passed on as one.

On an account's routes `visible_account` decides before anything of the request is looked at:
who may see the account (404), who may use the route (`only`, 403), then the body (400/415)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.params import Parameter

from services.gateway.auth.caller import Caller, authenticate, require_password_changed
from services.gateway.auth.sessions import refuse_ended, session_ended
from services.gateway.projections.cabinet_accounts import CabinetAccounts
from services.gateway.projections.cabinet_accounts_queries import account_in_organization, account_known
from services.gateway.projections.cabinet_payments import CabinetPayments
from services.gateway.projections.page_reads import AccountRead
from services.gateway.settings import GatewaySettings
from shared.calendar import local_date
from shared.clock import Clock
from shared.db import Pool
from shared.errors import Forbidden, NotFound
from shared.http import ID_PATTERN, AccountId, refuse_deferred_body, replayable_response
from shared.internal_api import InternalClient, Reply
from shared.openapi import BEARER
from shared.projection import wait_for_stream

__all__ = [
    "PAGE", "AccountController", "Commands", "Only", "Page", "RawAccountId", "accounts_commands", "caller",
    "only", "payments_commands", "require_visible", "session", "visible_account", "visible_in_row",
]


async def session(request: Request[Any, Any, Any], gateway_settings: GatewaySettings, clock: Clock,
                  reads: Pool) -> Caller:
    """The logged-in caller, even one who must change the password first: the token, and one
    primary-key read that its session has not ended (else 401 `auth.session_ended`)."""
    found = authenticate(request, gateway_settings.token_secret, clock)
    refuse_ended(await session_ended(reads, found.session_id))
    return found


async def caller(session: Caller) -> Caller:
    """The logged-in caller; 403 `auth.password_change_required` while a password change is due."""
    return require_password_changed(session)


async def require_visible(caller: Caller, account_id: str, pool: Pool) -> None:
    """A foreign account answers exactly like a missing one: no data, no hint it exists. The token
    decides for subscribers (no database round trip); an organization admin's organization is asked
    of the account's row (one primary-key read) unless the token lists it; an operator sees every
    account the cabinet knows (one primary-key read), so an unknown one is 404 on every route."""
    if caller.role == "operator":
        if await account_known(pool, account_id):
            return
        raise NotFound("account.not_found", f"account {account_id} not found")
    if caller.may_see(account_id):
        return
    organization = caller.sees_organization
    if organization is not None and await account_in_organization(pool, account_id, organization):
        return
    raise NotFound("account.not_found", f"account {account_id} not found")


def visible_in_row(caller: Caller, account_id: str, known: bool, organization_id: str | None) -> None:
    """`require_visible`'s rule when the page's own read brought the account's row along (`known`:
    the cabinet has the account; `organization_id`: its organization): no further read."""
    if caller.role == "operator":
        visible = known
    else:
        organization = caller.sees_organization
        visible = caller.may_see(account_id) or (organization is not None and organization == organization_id)
    if not visible:
        raise NotFound("account.not_found", f"account {account_id} not found")


@dataclass(frozen=True)
class Only:
    """Who may use a route beyond seeing the account (a route's `opt`, see `only`)."""

    roles: frozenset[str]
    code: str
    detail: str


def only(roles: tuple[str, ...], code: str, detail: str) -> dict[str, Any]:
    """A route's `opt`: only these roles may use it; anyone else who sees the account gets 403 `code`."""
    return {"only": Only(frozenset(roles), code, detail)}


async def visible_account(account_id: AccountId, caller: Caller, pool: Pool, request: Request[Any, Any, Any]) -> str:
    """The account in the path, checked in this order before anything else of the request: the
    caller may see it (else 404 `account.not_found`), may use this route (its `only`, else 403),
    and only then the body the edge refused (shared/request_guard.py defers it on these routes;
    the body's fields are validated after every dependency). So 401, 404, 403, then 400/415."""
    await require_visible(caller, account_id, pool)
    allowed: Only | None = request.route_handler.opt.get("only")
    if allowed is not None and caller.role not in allowed.roles:
        raise Forbidden(allowed.code, allowed.detail)
    refuse_deferred_body(request)
    return account_id


class AccountController(Controller):
    """Routes under one personal account. They take `account` (the path's account id, checked by
    `visible_account`), never the raw path parameter; tests/gateway/test_authorization_matrix.py
    calls every such route with a foreign account and fails for one that answers anything but 404."""

    path = "/api/v1/accounts/{account_id:str}"
    dependencies = {"account": Provide(visible_account)}
    security = [{BEARER: []}]


_ACCOUNT_ID = re.compile(ID_PATTERN)
#: The path's account id as a one-read page takes it: documented with its pattern, checked by
#: `Page.admit` after who calls (as `AccountId` is, through `visible_account`, on other routes).
RawAccountId = Annotated[str, Parameter(description="personal account id", schema_extra={"pattern": ID_PATTERN})]
#: The app state's key of its `Page` (set by app.py when the pages pool opens).
PAGE = "page"


@dataclass(frozen=True)
class Page:
    """What a cabinet page answered by one read needs: the pages pool, the token's secret, the
    clock and the business time zone. The hottest pages take it from the app's state (`of`) instead
    of through dependencies: Litestar resolves a route's dependencies per request (several of them
    in a task group), which cost the summary about a sixth of its CPU (README "Cabinet read path").
    The page's read carries the session check and the account's row (`admit`, `visible_in_row`)."""

    reads: Pool
    token_secret: bytes
    clock: Clock
    timezone: ZoneInfo

    @staticmethod
    def of(request: Request[Any, Any, Any]) -> Page:
        page: Page = request.app.state[PAGE]
        return page

    def caller(self, request: Request[Any, Any, Any]) -> Caller:
        """The caller from the token alone; `admit` decides on it once the page is read."""
        return authenticate(request, self.token_secret, self.clock)

    @staticmethod
    def admit(request: Request[Any, Any, Any], caller: Caller, account_id: str, read: AccountRead) -> dict[str, Any]:
        """The page, in the order the dependencies check it elsewhere: an ended session (401), a
        password change due (403), a malformed account id (400, as `AccountId` answers it), an
        account the caller may not see or that is unknown (404). The route takes the raw path
        parameter so that the id's syntax, like elsewhere, is judged only after who calls."""
        refuse_ended(read.session_ended)
        require_password_changed(caller)
        if not _ACCOUNT_ID.search(account_id):
            raise ValidationException(
                detail=f"Validation failed for {request.method} {request.url.path}",
                extra=[{"message": f"Expected `str` matching regex {ID_PATTERN!r}", "key": "account_id",
                        "source": "path"}],
            )
        visible_in_row(caller, account_id, read.known, read.organization_id)
        if read.page is None:
            raise NotFound("account.not_found", f"account {account_id} not found")
        return read.page

    def today(self) -> date:
        """The business date (the operator's time zone)."""
        return local_date(self.clock.now(), self.timezone)


@dataclass(frozen=True)
class Commands:
    """The caller's commands to the service that owns them, each answered once the gateway's
    `projection` shows its events (waiting at most `timeout` seconds), with the route's `status`
    (a repeat: 200 and `idempotent-replayed: true`, as the owner answered it)."""

    service: InternalClient
    pool: Pool
    caller: Caller
    projection: str
    timeout: float = 2.0
    status: int = 200

    async def send(self, method: str, path: str, body: Any = None, key: str | None = None) -> Response[dict[str, Any]]:
        """Send one command under the client's key; without one, under a fresh key (the owner
        then deduplicates nothing, as for any new command). The answer to give the client."""
        reply = await self.reply(method, path, body, key)
        return replayable_response(reply.body, self.status, replayed=reply.replayed)

    async def reply(self, method: str, path: str, body: Any = None, key: str | None = None) -> Reply:
        """The owner's reply to one command, once the read model shows it (`read_model_current`)."""
        reply = await self.service.send(method, path, json=body, actor=self.caller.actor,
                                        idempotency_key=key or str(uuid.uuid4()))
        current = await self.caught_up(reply.body.get("stream_id"), reply.body.get("stream_version"))
        if current is not None:
            reply.body["read_model_current"] = current
        return reply

    async def caught_up(self, stream_id: Any, version: Any) -> bool | None:
        """Wait until the read model has applied `stream_id` up to `version`: whether it did in
        time; None when the command appended nothing."""
        if isinstance(stream_id, str) and isinstance(version, int) and version > 0:
            return await wait_for_stream(self.pool, self.projection, stream_id, version, self.timeout)
        return None


async def accounts_commands(request: Request[Any, Any, Any], accounts: InternalClient, pool: Pool, caller: Caller,
                            gateway_settings: GatewaySettings) -> Commands:
    return Commands(accounts, pool, caller, CabinetAccounts.name, gateway_settings.read_your_writes_timeout_s,
                    request.route_handler.status_code or 200)


async def payments_commands(request: Request[Any, Any, Any], payments_api: InternalClient, pool: Pool,
                            caller: Caller, gateway_settings: GatewaySettings) -> Commands:
    return Commands(payments_api, pool, caller, CabinetPayments.name, gateway_settings.read_your_writes_timeout_s,
                    request.route_handler.status_code or 200)
