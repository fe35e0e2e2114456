"""Who is calling, and what they may see.

Every cabinet route takes the `caller` dependency: a `Caller` made from the bearer access token
(tokens.py), verified without a database round trip. A subscriber sees their own accounts (listed in
the token); an organization admin the accounts listed in the token and every account of their
organization (not listed: the account's own row is asked, `account_in_organization`, one primary-key
read per check, so a newly opened account shows at once); an operator every account. Routes under an
account take the `account` dependency (entrypoints/common.py), which asks `may_see` (the token alone)
and then, for an organization admin, the account's row, and answers a foreign account exactly like a
missing one (404). A caller who logged in with a temporary password
(or whose first-login password change is due) gets 403 `auth.password_change_required` from
`caller` everywhere; the password-change route takes `session` instead, which allows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from litestar.connection import ASGIConnection

from services.gateway.auth.tokens import AccessClaims, read_access_token
from shared.clock import Clock
from shared.errors import Forbidden, Unauthenticated

__all__ = ["Caller", "Role", "authenticate", "caller_from_token", "require_password_changed"]

Role = Literal["subscriber", "org_admin", "operator"]


@dataclass(frozen=True)
class Caller:
    role: Role
    user_id: str
    account_ids: frozenset[str] = field(default_factory=frozenset)
    organization_id: str | None = None
    must_change_password: bool = False
    session_id: str = ""

    @property
    def subject(self) -> str:
        return self.user_id

    @property
    def actor(self) -> str:
        """Who acted, for the audit trail of the events a command appends."""
        return f"{self.role}:{self.user_id}"

    @property
    def visible_accounts(self) -> frozenset[str] | None:
        """The accounts the token lists (an organization admin also sees the organization's);
        None: every account (an operator)."""
        return None if self.role == "operator" else self.account_ids

    def may_see(self, account_id: str) -> bool:
        """What the token alone proves; for an organization admin, False may still turn into True
        by the account's organization (entrypoints/common.py require_visible)."""
        return self.role == "operator" or account_id in self.account_ids

    @property
    def sees_organization(self) -> str | None:
        """The organization whose every account this caller sees besides the listed ones."""
        return self.organization_id if self.role == "org_admin" else None

    def may_see_organization(self, organization_id: str) -> bool:
        return self.role == "operator" or (self.role == "org_admin" and organization_id == self.organization_id)


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("auth.required", "a bearer access token is required (POST /api/v1/auth/login)")
    return token.strip()


def authenticate(connection: ASGIConnection[Any, Any, Any, Any], secret: bytes, clock: Clock) -> Caller:
    """The caller from the signed access token alone: no database round trip."""
    return caller_from_token(bearer_token(connection), secret, clock)


def caller_from_token(token: str, secret: bytes, clock: Clock) -> Caller:
    """The caller an access token names (the API's bearer token, the pages' session cookie)."""
    claims: AccessClaims = read_access_token(token, secret, clock.now())
    role: Role
    if claims.role in ("subscriber", "org_admin", "operator"):
        role = claims.role  # type: ignore[assignment]
    else:
        raise Unauthenticated("auth.token_invalid", "the access token is not valid")
    return Caller(role, claims.sub, frozenset(claims.acc), claims.org, claims.mcp, claims.sid)


def require_password_changed(caller: Caller) -> Caller:
    if caller.must_change_password:
        raise Forbidden("auth.password_change_required",
                        "change the password first (POST /api/v1/auth/password)")
    return caller
