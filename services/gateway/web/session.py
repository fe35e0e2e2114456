"""Who is looking at a cabinet page: the session cookie, which carries the API's own tokens.

The cookie (`cabinet_session`, path /cabinet) holds the access and refresh tokens the API's login
answers, base64url'd JSON; it is HttpOnly and SameSite=Lax, and Secure outside the dev and test
stacks. It proves nothing by itself: the access token is signed (auth/tokens.py) and the refresh
token is checked against the database (auth/sessions.py). An expired access token is swapped
through the refresh token, as an API client would, and the new cookie goes out with the page.
The session must not have ended (logout, a password change): one primary-key read, as the API's
`session` dependency does.

`Web` is what a page handler works with: the caller, the words of the page's language, the
gateway's clients and pools (the app's `Wiring`), and the commands the API's routes send."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import Cookie

from services.gateway.auth.caller import Caller, caller_from_token
from services.gateway.auth.sessions import session_ended
from services.gateway.entrypoints.auth import refresh_tokens
from services.gateway.entrypoints.common import Commands, require_visible
from services.gateway.projections.cabinet_accounts import CabinetAccounts
from services.gateway.projections.cabinet_payments import CabinetPayments
from services.gateway.settings import GatewaySettings
from shared.clock import Clock
from shared.db import Pool
from shared.errors import DomainError, NotFound, Unauthenticated
from shared.http import ID_PATTERN
from shared.internal_api import InternalClient

from .i18n import Words, words


class _PagesPool(Protocol):
    pool: Pool | None


class _Runtime(Protocol):
    pool: Pool


class Wiring(Protocol):
    """What the pages use of the app's `Wiring` (app.py, a layer above: not imported here)."""

    settings: GatewaySettings
    clock: Clock
    runtime: _Runtime
    accounts: InternalClient
    payments: InternalClient
    notifications: InternalClient
    invoicing: InternalClient
    telephony: InternalClient
    pages: _PagesPool

__all__ = [
    "LANG_COOKIE", "PREFIX", "SEEN_COOKIE", "SESSION_COOKIE", "PasswordChangeDue", "SignedOut", "Web", "login_url",
    "page_words", "session_cookie", "signed_in", "wiring_of",
]

SESSION_COOKIE = "cabinet_session"
LANG_COOKIE = "cabinet_lang"
#: When the caller last opened each account's messages (the bell counts what came since).
SEEN_COOKIE = "cabinet_seen"
PREFIX = "/cabinet"


class PasswordChangeDue(Exception):
    """The session may only change the password (a first login, a temporary password)."""


class SignedOut(Exception):
    """No valid session: the page sends the visitor to the login page (and back afterwards)."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


def wiring_of(request: Request[Any, Any, Any]) -> Wiring:
    wiring: Wiring = request.app.state.wiring
    return wiring


def page_words(request: Request[Any, Any, Any]) -> Words:
    wiring = wiring_of(request)
    return words(request.cookies.get(LANG_COOKIE), wiring.settings.timezone, wiring.clock.now())


def secure_cookies(request: Request[Any, Any, Any]) -> bool:
    return wiring_of(request).settings.billing_env not in ("dev", "test")


def session_cookie(request: Request[Any, Any, Any], tokens: dict[str, Any] | None) -> Cookie:
    """The session cookie carrying `tokens` (the API's login answer); None: one that clears it."""
    value = "" if tokens is None else base64.urlsafe_b64encode(json.dumps(
        {"a": tokens["access_token"], "r": tokens["refresh_token"]}).encode()).decode()
    return Cookie(key=SESSION_COOKIE, value=value, path=PREFIX, httponly=True, samesite="lax",
                  secure=secure_cookies(request), max_age=0 if tokens is None else None)


def _tokens_in(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(raw.encode()))
        access, refresh = found["a"], found["r"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    if not isinstance(access, str) or not isinstance(refresh, str):
        return None
    return access, refresh


@dataclass
class Web:
    """One page's request: who asks, in which words, with which of the gateway's parts."""

    request: Request[Any, Any, Any]
    caller: Caller
    words: Words
    refresh_token: str
    cookies: list[Cookie] = field(default_factory=list)

    @property
    def wiring(self) -> Wiring:
        return wiring_of(self.request)

    @property
    def now(self) -> datetime:
        return self.wiring.clock.now()

    def commands(self, to: str, status: int = 200) -> Commands:
        """The caller's commands to `to` (accounts or payments), as the API's routes send them."""
        wiring = self.wiring
        service, projection = ((wiring.accounts, CabinetAccounts.name) if to == "accounts"
                               else (wiring.payments, CabinetPayments.name))
        return Commands(service, wiring.runtime.pool, self.caller, projection,
                        wiring.settings.read_your_writes_timeout_s, status)

    async def account(self, account_id: str) -> str:
        """The account in the path once the caller may see it: a foreign one is a 404, like the API's."""
        if not re.search(ID_PATTERN, account_id):
            raise NotFound("account.not_found", f"account {account_id} not found")
        await require_visible(self.caller, account_id, self.wiring.runtime.pool)
        return account_id


async def signed_in(request: Request[Any, Any, Any], *, password_change: bool = False) -> Web:
    """The page's caller from the session cookie (refreshed when the access token expired); else
    `SignedOut`. A caller whose password change is due may open the password page only
    (`password_change`); any other page raises `PasswordChangeDue`, as the API answers 403."""
    back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    tokens = _tokens_in(request)
    if tokens is None:
        raise SignedOut(back_to)
    wiring = wiring_of(request)
    access, refresh = tokens
    cookies: list[Cookie] = []
    try:
        caller = caller_from_token(access, wiring.settings.token_secret, wiring.clock)
    except Unauthenticated:
        try:
            renewed = await refresh_tokens(refresh, wiring.runtime.pool, wiring.accounts, wiring.clock,
                                           wiring.settings)
        except DomainError:
            raise SignedOut(back_to) from None
        caller = caller_from_token(renewed["access_token"], wiring.settings.token_secret, wiring.clock)
        refresh = renewed["refresh_token"]
        cookies.append(session_cookie(request, renewed))
    reads = wiring.pages.pool
    assert reads is not None, "the pages pool opens with the app"
    if await session_ended(reads, caller.session_id):
        raise SignedOut(back_to)
    if caller.must_change_password and not password_change:
        raise PasswordChangeDue
    return Web(request, caller, page_words(request), refresh, cookies)


def login_url(back_to: str) -> str:
    return f"{PREFIX}/login?next={quote(back_to, safe='')}"
