"""The HTTP edge shared by every service: problem details (RFC 9457) with stable codes, the
correlation id, health, metrics and the internal-API guard."""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import asyncpg
from litestar import Litestar, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from pydantic import BeforeValidator, WithJsonSchema

from shared.commands import CommandResult
from shared.errors import DomainError
from shared.eventstore import Metadata
from shared.forwarded import Network, forwarded_client
from shared.internal_api import REPLAYED_HEADER
from shared.logging import bind_correlation, correlation_id, get_logger, new_correlation_id
from shared.metrics import HTTP_LATENCY
from shared.money import AMOUNT_PATTERN, parse_amount
from shared.request_guard import deferred_body_problem, request_guard

__all__ = [
    "CORRELATION_HEADER",
    "IDEMPOTENCY_KEY_MAX",
    "ID_PATTERN",
    "METRICS_CONTENT_TYPE",
    "AccountId",
    "Actor",
    "Amount",
    "BodyRefused",
    "Count",
    "Day",
    "IdempotencyKey",
    "at_the_edge",
    "command_metadata",
    "command_response",
    "correlation_middleware",
    "exception_handlers",
    "internal_token_guard",
    "ops_route_handlers",
    "problem",
    "refuse_deferred_body",
    "replayable_response",
]

log = get_logger(__name__)

# -- the request edge: what every route takes and answers ------------------------------------------
#: Account, line, client, user and item ids: letters, digits, `_` and `-`, at most 64.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
#: The longest `Idempotency-Key` a client may send, wherever it enters (gateway or internal API).
IDEMPOTENCY_KEY_MAX = 200

AccountId = Annotated[str, Parameter(pattern=ID_PATTERN, description="personal account id")]
Actor = Annotated[str, Parameter(header="x-actor", default="operator", max_length=128,
                                 description="who acts, for the events' audit trail")]
IdempotencyKey = Annotated[str | None, Parameter(
    header="idempotency-key", default=None, min_length=1, max_length=IDEMPOTENCY_KEY_MAX,
    description="repeating a command with the same key answers its first result and changes nothing",
)]


#: A money amount in a request body: a plain decimal string ("150.00"), parsed by the one parser
#: (its schema, `AMOUNT_PATTERN`, is exactly what that parser takes).
Amount = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["150.00"],
                    "description": "a positive decimal string with at most 2 decimals, e.g. \"150.00\""}),
]


def _whole_number(value: object) -> int:
    if type(value) is not int:  # not "14", 14.0 or true
        raise ValueError("a whole number, e.g. 14")
    return value


def _iso_day(value: object) -> object:
    if not (isinstance(value, str) and _DAY.fullmatch(value)):  # not a datetime, not a number
        raise ValueError("a date as YYYY-MM-DD")
    return value


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
#: A count in a request body: a JSON integer only.
Count = Annotated[int, BeforeValidator(_whole_number)]
#: A calendar day in a request body: a "YYYY-MM-DD" string only (the operator's time zone).
Day = Annotated[date, BeforeValidator(_iso_day)]


def command_metadata(actor: str) -> Metadata:
    """The metadata of the events a request's command appends: its correlation id and actor."""
    return Metadata(correlation_id=correlation_id() or new_correlation_id(), actor=actor[:128])


def command_response(result: CommandResult, status: int = 200) -> Response[dict[str, Any]]:
    """A command's answer: its body and where its events landed (read-your-writes); a repeat
    answers 200 with the first result and says so in `idempotent-replayed`."""
    body = {**result.body, "stream_id": result.stream_id, "stream_version": result.stream_version,
            "position": result.last_position}
    return replayable_response(body, status, replayed=result.repeated)


def replayable_response(body: dict[str, Any], status: int, *, replayed: bool) -> Response[dict[str, Any]]:
    """A command's answer with `status`, or, for a repeat of a command already answered (here or by
    the service a gateway forwarded it to), 200 and `idempotent-replayed: true`."""
    if replayed:
        return Response(body, status_code=200, headers={REPLAYED_HEADER: "true"})
    return Response(body, status_code=status)


CORRELATION_HEADER = "x-correlation-id"
PROBLEM_JSON = "application/problem+json"
#: The text exposition format `generate_latest` writes, with exactly one charset (Prometheus 3
#: refuses a Content-Type carrying it twice).
METRICS_CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
#: Request methods a metric label may carry; anything else is counted as "other".
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_STATUS_CODES = {
    400: "request.invalid",
    401: "auth.required",
    403: "auth.forbidden",
    404: "route.not_found",
    405: "request.method_not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    429: "request.rate_limited",
}


def _problem_body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    title = code.replace("_", " ").replace(".", ": ", 1).capitalize()
    body = {"type": f"urn:billing:problem:{code}", "title": title, "status": status, "detail": detail, "code": code}
    body.update(extra)
    return body


def problem(status: int, code: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    """An RFC 9457 problem: `type` is a stable URN per code, `code` the same code for programs,
    `title` its readable form, `detail` what happened this time."""
    return Response(_problem_body(status, code, detail, **extra), status_code=status, media_type=PROBLEM_JSON)


def _domain_error(_: Request[Any, Any, Any], error: DomainError) -> Response[dict[str, Any]]:
    response = problem(error.status, error.code, error.detail, **error.extra)
    if error.status == 401:
        response.headers["www-authenticate"] = 'Bearer realm="billing"'
    return response


def _validation_error(request: Request[Any, Any, Any], error: ValidationException) -> Response[dict[str, Any]]:
    names = _public_names(request)
    errors = [
        _public_error(item, names)
        for item in (error.extra if isinstance(error.extra, list) else [])
        if isinstance(item, dict)
    ]
    detail = error.detail if error.detail and not errors else "the request does not match the API"
    return problem(400, "request.invalid", detail, errors=errors)


#: Where a request's value comes from, as Litestar's validation names it (`ParamType`, or "body").
_PLACES = {"query": "query", "header": "header", "cookie": "cookie", "path": "path", "body": "body"}


def _public_names(request: Request[Any, Any, Any]) -> dict[str, tuple[str, str]]:
    """Each Python parameter name of the route (and of its dependencies) -> (where, the name the
    client sends): `date_from` -> ("query", "from"), `idempotency_key` -> ("header", "idempotency-key")."""
    handler = request.scope.get("route_handler")
    if handler is None:
        return {}
    signatures = [handler.parsed_fn_signature]
    signatures += [p.parsed_fn_signature for p in handler.resolve_dependencies().values()
                   if getattr(p, "parsed_fn_signature", None) is not None]
    names: dict[str, tuple[str, str]] = {}
    for signature in signatures:
        for name, definition in signature.parameters.items():
            kwarg = definition.kwarg_definition
            for place in ("query", "header", "cookie"):
                public = getattr(kwarg, place, None)
                if isinstance(public, str):
                    names[name] = (place, public)
            if name not in names and kwarg is not None:  # a plain query or path parameter
                names[name] = ("path" if name in request.path_params else "query", name)
            if name == "data":
                names[name] = ("body", "")
    return names


def _public_error(item: dict[str, Any], names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """One validation error as the client can act on it: the name it sent (the query parameter,
    header or body field, never the handler's Python name) and where (`in`); the whole body has
    `field` null."""
    key, message = item.get("key"), str(item.get("message", ""))
    source = item.get("source")
    place = _PLACES.get(str(getattr(source, "value", source)))
    if key is None or (key == "data" and "data" in names):  # the body as a whole: missing or not an object
        message = "a JSON body is required" if message == "'data'" else "the body must be a JSON object"
        return {"field": None, "in": "body", "message": message}
    if key in names:
        place, public = names[key]
        key = public or None
    return {"field": key, "in": place or "body", "message": message}


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[dict[str, Any]]:
    status = error.status_code
    if status >= 500:
        return _unexpected(request, error)
    code = _STATUS_CODES.get(status, f"http.{status}")
    response = problem(status, code, error.detail or code)
    for name, value in (error.headers or {}).items():  # e.g. `Allow` on a 405
        response.headers[name] = value
    return response


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    log.error("http.unhandled", path=request.url.path, error=repr(error), exc_info=error)
    return problem(500, "internal", "internal error; the correlation id identifies it in the logs")


#: Seconds a client is told to wait when the database is away.
DATABASE_RETRY_AFTER = 5


def _database_away(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    """The database cannot be reached (restarting, overloaded, cut off): nothing was applied (every
    command is one transaction), so the client may try again shortly."""
    log.error("http.database_unavailable", path=request.url.path, error=repr(error))
    response = problem(503, "service.unavailable", "the database is not answering; nothing was changed, try again")
    response.headers["retry-after"] = str(DATABASE_RETRY_AFTER)
    return response


#: What a lost or refused database connection raises: asyncpg's connection errors (class 08), an
#: administrator's or the server's shutdown or start-up (57), too many connections (53300), a
#: database not accepting connections, a closed connection or pool, a refused or reset socket, and
#: the protocol confusion asyncpg reports when the server ended a pooled connection while it sat idle
#: ("cannot switch to state …; another operation is in progress"): that connection is dead too.
DATABASE_AWAY: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError, asyncpg.TooManyConnectionsError,
    asyncpg.ObjectNotInPrerequisiteStateError, asyncpg.InterfaceError, asyncpg.InternalClientError,
    ConnectionError,
)

exception_handlers: dict[Any, Any] = {
    **dict.fromkeys(DATABASE_AWAY, _database_away),
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}


def correlation_middleware(service: str) -> Callable[[ASGIApp], ASGIApp]:
    """Bind the request's correlation id (or a new one) for logs and events; echo it back;
    time the request for /metrics by method, route template (never the raw path: bounded label
    values) and status."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":  # type: ignore[comparison-overlap]
                await app(scope, receive, send)
                return
            given = None
            for name, value in scope["headers"]:
                if name == b"x-correlation-id":
                    given = value.decode("latin-1")[:128]
                    break
            started = time.perf_counter()
            status = 500  # if the app fails before answering, the server answers 500
            with bind_correlation(given) as correlation_id:

                async def send_with_header(message: Message) -> None:
                    nonlocal status
                    if message["type"] == "http.response.start":
                        status = message["status"]
                        headers = list(message.get("headers", []))
                        headers.append((b"x-correlation-id", correlation_id.encode()))
                        message = {**message, "headers": headers}
                    await send(message)

                try:
                    await app(scope, receive, send_with_header)
                finally:
                    method = scope.get("method", "")
                    method = method if method in _METHODS else "other"
                    route = scope.get("path_template") or "unmatched"
                    HTTP_LATENCY.labels(service, method, route, str(status)).observe(time.perf_counter() - started)

        return middleware

    return factory


def at_the_edge(app: Litestar, service: str, trusted_proxies: Sequence[Network] = (),
                access_first: tuple[str, ...] = ()) -> Litestar:
    """Wrap the whole app, routing included, in the client's address behind trusted proxies
    (shared/forwarded.py), then the correlation id and request metrics.

    Litestar runs the middleware given to `Litestar(middleware=...)` only for a request that
    matched a route, so a 404 for an unknown path would carry no correlation id and go uncounted;
    `asgi_handler` is what `Litestar.__call__` hands every HTTP request to (lifespan events go
    elsewhere), the exception handlers already inside it. Under the paths `access_first`, a bad
    body is refused only after the route's access check (`refuse_deferred_body`)."""
    guarded = request_guard(_problem_bytes, access_first)(app.asgi_handler)
    app.asgi_handler = forwarded_client(trusted_proxies)(correlation_middleware(service)(guarded))
    return app


class BodyRefused(DomainError):
    """A request body the edge refused, raised once the route's access check has passed."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(code, detail)
        self.status = status


def refuse_deferred_body(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Raise the refusal of the request's body that waited for the access check (see
    shared/request_guard.py), if there is one."""
    refused = deferred_body_problem(connection.scope)
    if refused is not None:
        raise BodyRefused(*refused)


def _problem_bytes(status: int, code: str, detail: str) -> bytes:
    return json.dumps(_problem_body(status, code, detail), ensure_ascii=False).encode()


def internal_token_guard(token: str) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """Internal service APIs answer only callers presenting the shared internal token."""
    expected = token.encode()

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        given = connection.headers.get("x-internal-token", "").encode()
        if not hmac.compare_digest(given, expected):
            raise NotAuthorizedException("missing or wrong internal token",
                                         headers={"www-authenticate": 'X-Internal-Token realm="billing-internal"'})

    return guard


def ops_route_handlers(ready: Callable[[], Awaitable[bool]]) -> list[Any]:
    @get("/health/live", include_in_schema=False, sync_to_thread=False)
    def live() -> dict[str, str]:
        return {"status": "ok"}

    @get("/health/ready", include_in_schema=False)
    async def ready_route() -> Response[dict[str, str]]:
        ok = await ready()
        return Response({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    @get("/metrics", include_in_schema=False, sync_to_thread=False)
    def metrics() -> Response[bytes]:
        # Given as the header, not `media_type`: Litestar would append a second charset to text/*.
        return Response(generate_latest(), headers={"content-type": METRICS_CONTENT_TYPE})

    return [live, ready_route, metrics]
