"""Hostile bodies are refused at the edge (400/413 problem details), before any route runs."""

from __future__ import annotations

import httpx
import pytest

from shared.internal_api import InternalClient
from shared.request_guard import MAX_BODY, body_problem


@pytest.mark.parametrize(("body", "code"), [
    (b'{"login": "a\\u0000b"}', "request.control_character"),
    (b'{"email": "x\\u0007@y.by"}', "request.control_character"),
    (b'{"a\\u0000": 1}', "request.control_character"),
    (b'{"name": "\\u009b"}', "request.control_character"),
    (b'{"login": "\xff\xfe"}', "request.invalid_encoding"),
    (b"[" * 1000 + b"]" * 1000, "request.too_deep"),
    (b'{"a":' * 40 + b"1" + b"}" * 40, "request.too_deep"),
    (b'{"x": "' + b"a" * MAX_BODY + b'"}', "request.too_large"),
])
def test_hostile_bodies_are_refused_with_a_stable_code(body: bytes, code: str) -> None:
    refused = body_problem(body)
    assert refused is not None and refused[1] == code


@pytest.mark.parametrize("body", [
    b'{"login": "1015", "password": "p\\tq"}', b'{"text": "two\\nlines"}', b'{"name": "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd"}',
    b"", b"not json at all", b'{"a": [[[[1]]]]}',
])
def test_ordinary_bodies_pass(body: bytes) -> None:
    assert body_problem(body) is None  # malformed JSON is the route's own 400


@pytest.mark.parametrize(("status", "code", "answer"), [
    (500, "upstream.failed", 502), (502, "upstream.failed", 502), (503, "service.unavailable", 503),
    (503, "network.unavailable", 503),
])
async def test_an_internal_services_failure_is_not_called_unavailability(status: int, code: str, answer: int) -> None:
    """A 503 carrying the owner's own domain code (`network.unavailable`) keeps it; any other 503 is
    the service being unavailable."""

    def upstream(_: httpx.Request) -> httpx.Response:
        sent = code if code == "network.unavailable" else "internal"
        return httpx.Response(status, json={"code": sent, "status": status})

    client = InternalClient("accounts", "http://accounts", "token", transport=httpx.MockTransport(upstream))
    try:
        with pytest.raises(Exception) as raised:
            await client.call("POST", "/internal/v1/anything", json={})
    finally:
        await client.close()
    assert getattr(raised.value, "code", None) == code and getattr(raised.value, "status", None) == answer
