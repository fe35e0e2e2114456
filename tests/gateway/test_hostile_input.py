"""Hostile input at the cabinet's edge: a problem with a stable code, never a 500 (issue 10's
reproductions), before any login attempt is counted or any service is called."""

from __future__ import annotations

import json

import pytest

from tests.gateway.conftest import Cabinet
from tests.gateway.factories import SUBSCRIBER

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(("path", "body", "code"), [
    ("/api/v1/auth/login", json.dumps({"login": "10\u000015", "password": "x"}).encode(), "request.control_character"),
    ("/api/v1/auth/recovery", json.dumps({"login": "\u00001015"}).encode(), "request.control_character"),
    ("/api/v1/auth/login", b'{"login": "\xc3\x28", "password": "x"}', "request.invalid_encoding"),
    ("/api/v1/auth/login", b"[" * 1000 + b"]" * 1000, "request.too_deep"),
])
async def test_unauthenticated_hostile_bodies_are_refused(cabinet: Cabinet, path: str, body: bytes, code: str) -> None:
    response = await cabinet.client.post(path, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code


async def test_a_nul_in_the_profile_email_never_reaches_the_accounts_service(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    before = (await cabinet.client.get("/api/v1/profile", headers=me)).json()
    response = await cabinet.client.patch("/api/v1/profile", content=json.dumps({"email": "a\u0000@b.by"}).encode(),
                                          headers={**me, **JSON})
    assert response.status_code == 400 and response.json()["code"] == "request.control_character"
    assert (await cabinet.client.get("/api/v1/profile", headers=me)).json() == before


async def test_a_missing_token_says_how_to_authenticate_and_a_wrong_method_what_is_allowed(cabinet: Cabinet) -> None:
    unauthenticated = await cabinet.client.get("/api/v1/accounts/1015/balance")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"].startswith("Bearer")
    wrong_method = await cabinet.client.put("/api/v1/accounts/1015/balance", headers=await cabinet.login(*SUBSCRIBER))
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["allow"]
    assert wrong_method.json()["code"] == "request.method_not_allowed"


@pytest.mark.parametrize("change", [
    {"days": "14"}, {"days": 14.0}, {"days": True}, {"starts_on": "2026-03-20T00:00:00"}, {"starts_on": 20260320},
])
async def test_loose_types_are_refused_at_the_public_edge(cabinet: Cabinet, change: dict[str, object]) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    response = await cabinet.client.post("/api/v1/accounts/1015/blocks", json={"starts_on": "2026-03-20", "days": 14,
                                                                               **change}, headers=me)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "request.invalid"
    blocks = (await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)).json()
    assert blocks["scheduled"] == []
