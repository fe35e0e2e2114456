"""What a JSON request body must be before any route sees it, checked once at the edge.

A body that is not UTF-8, nests deeper than `MAX_DEPTH`, is larger than `MAX_BODY`, or holds a
control character (NUL and the other C0 controls but tab, newline and carriage return; DEL; the C1
controls) in any string or key is refused with a problem answer, and nothing runs: such input has
no business meaning here, and deeper in (PostgreSQL refuses NUL in text) it would be a 500.
A body sent to the JSON APIs (`/api/`, `/internal/`) must say it is JSON (`application/json`, or
a `+json` type): anything else is a 415 before it could be parsed as JSON. Elsewhere (a provider's
form-encoded callback under `/public/`) a body is only held to the size limit.

Under the paths given as `deferred` (the gateway's account routes), the caller's access to the
account is checked before the body: a refusal (but 413) is then left in the scope
(`deferred_body_problem`), malformed JSON included, and the route gets no body; the route's access
check answers 401/404/403 first and then raises the refusal (shared.http.refuse_deferred_body), so
a foreign account answers 404 whatever was sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = ["JSON_APIS", "MAX_BODY", "MAX_DEPTH", "body_problem", "deferred_body_problem", "request_guard"]

#: The largest request body any route takes (a batch rename of 500 subscribers is ~60 KB).
MAX_BODY = 1024 * 1024
#: The deepest JSON nesting any route takes (our bodies nest 3 levels at most).
MAX_DEPTH = 32
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def body_problem(body: bytes, *, malformed: bool = False) -> tuple[int, str, str] | None:
    """(status, code, detail) when a JSON body must be refused, else None; malformed JSON too
    when `malformed` (else the route's own parser answers it)."""
    if len(body) > MAX_BODY:
        return 413, "request.too_large", f"the body is larger than {MAX_BODY} bytes"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "request.invalid_encoding", "the body is not valid UTF-8"
    if not text.strip():
        return None
    try:
        document = json.loads(text)
    except RecursionError:
        return 400, "request.too_deep", f"the body nests deeper than {MAX_DEPTH} levels"
    except ValueError as error:
        if malformed:
            return 400, "request.invalid", f"the body is not valid JSON: {error}"
        return None  # malformed JSON: the route's own parser answers with its usual 400
    return _walk(document)


def _walk(document: Any) -> tuple[int, str, str] | None:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _CONTROL.search(value):
                return 400, "request.control_character", "a text field holds a control character"
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return 400, "request.too_deep", f"the body nests deeper than {MAX_DEPTH} levels"
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None and _CONTROL.search(key):
                    return 400, "request.control_character", "a field name holds a control character"
                stack.append((item, depth + 1))
    return None


#: Where every request body is JSON and must say so.
JSON_APIS = ("/api/", "/internal/")


def _media_type(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower()
    return None


def _is_json(media: bytes | None) -> bool:
    return media is not None and (media == b"application/json" or media.endswith(b"+json"))


#: The scope key a deferred refusal waits under.
_DEFERRED = "billing.body_problem"


def deferred_body_problem(scope: Any) -> tuple[int, str, str] | None:
    """The refusal of this request's body that waits for the route's access check, if any."""
    found: tuple[int, str, str] | None = scope.get(_DEFERRED)
    return found


def request_guard(problem_body: Callable[[int, str, str], bytes],
                  deferred: tuple[str, ...] = ()) -> Callable[[ASGIApp], ASGIApp]:
    """Middleware reading the whole body of a request that has one, refusing what `body_problem`
    refuses (as `problem_body` renders it), else handing the same bytes on. Under a path starting
    with one of `deferred`, a refusal but 413 waits in the scope and the route gets no body."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def guard(scope: Scope, receive: Receive, send: Send) -> None:
            http: Any = scope
            if http["type"] != "http" or http["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
                await app(scope, receive, send)
                return
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_BODY:
                    break
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            media = _media_type(scope)
            later = bool(deferred) and http["path"].startswith(deferred)
            refused: tuple[int, str, str] | None = None
            if size > MAX_BODY:
                refused = (413, "request.too_large", f"the body is larger than {MAX_BODY} bytes")
            elif _is_json(media):
                refused = body_problem(body, malformed=later)
            elif body and http["path"].startswith(JSON_APIS):
                refused = (415, "request.unsupported_media_type", "send the body as application/json")
            if refused is not None and later and refused[0] != 413:
                http[_DEFERRED] = refused
                body, refused = b"", None
            if refused is not None:
                status, code, detail = refused
                start: Any = {"type": "http.response.start", "status": status,
                              "headers": [(b"content-type", b"application/problem+json")]}
                end: Any = {"type": "http.response.body", "body": problem_body(status, code, detail)}
                await send(start)
                await send(end)
                return
            delivered = False

            async def replay() -> Any:
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await app(scope, replay, send)

        return guard

    return factory
