"""Calling another service's internal API: the one client the gateway (and services) use.

It presents the internal token, the actor, the correlation id and the idempotency key, and turns a
problem-details answer back into the same DomainError (same code, same status), so a service's
domain error reaches the cabinet unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from shared.errors import DomainError
from shared.logging import correlation_id

__all__ = ["File", "InternalClient", "RemoteError", "Reply", "ServiceUnavailable"]

#: The header a service's answer to a repeated command carries (shared.http.command_response).
REPLAYED_HEADER = "idempotent-replayed"


@dataclass(frozen=True)
class Reply:
    """A service's answer: its body, and whether it repeats a command's first result (a key seen
    before: `idempotent-replayed: true`)."""

    body: dict[str, Any]
    replayed: bool = False


class RemoteError(DomainError):
    """A domain error answered by another service, passed on as it came."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(code, detail, **extra)
        self.status = status


class ServiceUnavailable(DomainError):
    status = 503

    def __init__(self, service: str) -> None:
        super().__init__("service.unavailable", f"the {service} service is not answering; try again")


class UpstreamFailed(DomainError):
    status = 502

    def __init__(self, service: str, status: int) -> None:
        super().__init__("upstream.failed", f"the {service} service failed ({status}); the correlation id"
                         " identifies it in that service's logs")


class InternalClient:
    def __init__(
        self,
        service: str,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`transport` lets a test call an in-process app (httpx.ASGITransport) instead of the network."""
        self.service = service
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, headers={"x-internal-token": token}, transport=transport
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def file(self, path: str, *, actor: str | None = None) -> File:
        """A file the service answers with `path` (a document's bytes), not JSON."""
        return await _file(self, path, actor)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """The answer's body (a problem answer raises it as a DomainError)."""
        reply = await self.send(method, path, json=json, params=params, actor=actor, idempotency_key=idempotency_key)
        return reply.body

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> Reply:
        """The answer with whether it replays an earlier command (for a command's caller to pass on)."""
        headers = {}
        if actor:
            headers["x-actor"] = actor
        if idempotency_key:
            headers["idempotency-key"] = idempotency_key
        current = correlation_id()
        if current:
            headers["x-correlation-id"] = current
        try:
            response = await self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError:
            raise ServiceUnavailable(self.service) from None
        if response.status_code >= 400:
            raise _as_error(self.service, response)
        body: dict[str, Any] = response.json() if response.content else {}
        return Reply(body, response.headers.get(REPLAYED_HEADER) == "true")


@dataclass(frozen=True)
class File:
    """A file another service answered: its bytes, media type and `content-disposition`."""

    content: bytes
    media_type: str
    disposition: str | None


async def _file(client: InternalClient, path: str, actor: str | None) -> File:
    headers = {"x-actor": actor} if actor else {}
    current = correlation_id()
    if current:
        headers["x-correlation-id"] = current
    try:
        response = await client._http.get(path, headers=headers)
    except httpx.TransportError:
        raise ServiceUnavailable(client.service) from None
    if response.status_code >= 400:
        raise _as_error(client.service, response)
    return File(response.content, response.headers.get("content-type", "application/octet-stream"),
                response.headers.get("content-disposition"))


def _as_error(service: str, response: httpx.Response) -> DomainError:
    if response.status_code == 503:
        # It cannot serve now: its database is away (`service.unavailable`), or one of its domain
        # errors says why (a stable `<area>.<reason>` code: `network.unavailable`,
        # `secret.not_delivered`), which is passed on as it came; anything else is unavailability.
        problem_code = _problem_code(response)
        if problem_code is None or problem_code == "service.unavailable" or "." not in problem_code:
            return ServiceUnavailable(service)
    elif response.status_code >= 500:
        # A failure inside the service, not unavailability: say so, with its correlation id.
        return UpstreamFailed(service, response.status_code)
    try:
        problem = response.json()
        code, detail = str(problem["code"]), str(problem.get("detail", ""))
    except (ValueError, KeyError, TypeError):
        return RemoteError(response.status_code, f"{service}.error", response.text[:200])
    extra = {k: v for k, v in problem.items() if k not in {"type", "title", "status", "detail", "code"}}
    return RemoteError(response.status_code, code, detail, **extra)


def _problem_code(response: httpx.Response) -> str | None:
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) else None
