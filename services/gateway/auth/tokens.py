"""Short-lived access tokens: `base64url(JSON claims) . base64url(HMAC-SHA256(secret, first part))`.

The claims say who the caller is (user, role, accounts, organization), whether a password change
is due, the session (refresh-token family) and when the token expires. Nothing secret is in them;
they are signed, not encrypted. Refresh tokens are opaque and live in the database (sessions.py)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.errors import Unauthenticated

__all__ = ["AccessClaims", "issue_access_token", "read_access_token"]


@dataclass(frozen=True)
class AccessClaims:
    sub: str  # user id
    role: str
    acc: list[str] = field(default_factory=list)  # account ids (subscribers)
    org: str | None = None  # organization id (org admins)
    mcp: bool = False  # must change password before anything else
    sid: str = ""  # session id: the refresh-token family
    iat: int = 0
    exp: int = 0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())


def issue_access_token(claims: AccessClaims, secret: bytes, now: datetime, ttl: timedelta) -> tuple[str, int]:
    """A signed token for `claims` valid for `ttl` from `now`, and its expiry (epoch seconds)."""
    issued = int(now.timestamp())
    expires = issued + int(ttl.total_seconds())
    data = {**asdict(claims), "iat": issued, "exp": expires}
    body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_sign(secret, body)}", expires


def read_access_token(token: str, secret: bytes, now: datetime) -> AccessClaims:
    body, _, signature = token.partition(".")
    if not body or not signature or not hmac.compare_digest(signature.encode(), _sign(secret, body).encode()):
        raise Unauthenticated("auth.token_invalid", "the access token is not valid")
    try:
        data: dict[str, Any] = json.loads(_unb64(body))
        claims = AccessClaims(**data)
    except (ValueError, TypeError, binascii.Error):
        raise Unauthenticated("auth.token_invalid", "the access token is not valid") from None
    if claims.exp <= now.timestamp():
        raise Unauthenticated("auth.token_expired", "the access token has expired; refresh it")
    return claims
