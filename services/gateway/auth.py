"""Who is calling. Until cabinet logins arrive (accounts service), the only caller is an operator
presenting the operator token; every route checks the caller may see the account it names."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException

__all__ = ["Caller", "authenticate"]


@dataclass(frozen=True)
class Caller:
    role: str
    subject: str

    def may_see(self, account_id: str) -> bool:
        return self.role == "operator"


def authenticate(connection: ASGIConnection[Any, Any, Any, Any], operator_token: str) -> Caller:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("a bearer token is required")
    if hmac.compare_digest(token.encode(), operator_token.encode()):
        return Caller(role="operator", subject="operator")
    raise NotAuthorizedException("the token is not valid")
