"""The problem details every service answers (shared/http.py): validation errors name what the
client sent (the query parameter, header or body field), never the handler's Python names; 401
says how to authenticate and 405 what is allowed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Litestar, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.testing import TestClient
from pydantic import BaseModel, ConfigDict

from shared.errors import NotFound
from shared.http import (
    Count,
    Day,
    IdempotencyKey,
    at_the_edge,
    exception_handlers,
    internal_token_guard,
    refuse_deferred_body,
)


class Block(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: Day
    days: Count


async def _page(page_size: Annotated[int, Parameter(query="page-size", ge=1, default=10)]) -> int:
    return page_size


@get("/history", dependencies={"page": Provide(_page)})
async def history(
    page: int,
    date_from: Annotated[date | None, Parameter(query="from", default=None)],
    limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
) -> dict[str, Any]:
    return {"page": page}


@post("/accounts/{account_id:str}/blocks")
async def schedule(account_id: Annotated[str, Parameter(pattern="^[0-9]+$")], data: Block,
                   idempotency_key: IdempotencyKey) -> dict[str, Any]:
    return {"account_id": account_id}


def _client(guarded: bool = False) -> TestClient[Litestar]:
    app = Litestar([history, schedule], exception_handlers=exception_handlers,
                   guards=[internal_token_guard("secret")] if guarded else None)
    return TestClient(at_the_edge(app, "test"))


def _errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "request.invalid"
    return sorted(response.json()["errors"], key=lambda e: str(e["field"]))


def test_query_and_header_errors_name_the_parameters_the_client_sent() -> None:
    with _client() as client:
        errors = _errors(client.get("/history", params={"from": "yesterday", "limit": 0}))
        assert [(e["field"], e["in"]) for e in errors] == [("from", "query"), ("limit", "query")]
        of_a_dependency = _errors(client.get("/history", params={"page-size": 0}))
        assert [(e["field"], e["in"]) for e in of_a_dependency] == [("page-size", "query")]
        refused = client.post("/accounts/1/blocks", json={"starts_on": "2026-03-20", "days": 14},
                              headers={"idempotency-key": "k" * 201})
        assert [(e["field"], e["in"]) for e in _errors(refused)] == [("idempotency-key", "header")]
        assert "date_from" not in refused.text and "idempotency_key" not in refused.text


def test_body_errors_name_the_body_fields_and_a_missing_body_is_said_so() -> None:
    with _client() as client:
        refused = client.post("/accounts/1/blocks", json={"starts_on": "20 March", "days": "14", "extra": 1})
        assert [(e["field"], e["in"]) for e in _errors(refused)] == [
            ("days", "body"), ("extra", "body"), ("starts_on", "body")]
        bad_path = client.post("/accounts/x/blocks", json={"starts_on": "2026-03-20", "days": 14})
        assert [(e["field"], e["in"]) for e in _errors(bad_path)] == [("account_id", "path")]
        missing = _errors(client.post("/accounts/1/blocks", headers={"content-type": "application/json"}))
        assert missing == [{"field": None, "in": "body", "message": "a JSON body is required"}]
        not_an_object = _errors(client.post("/accounts/1/blocks", json=[1]))
        assert not_an_object == [{"field": None, "in": "body", "message": "the body must be a JSON object"}]
        assert "data" not in str(missing + not_an_object) and "Block" not in str(not_an_object)


def test_an_internal_api_says_how_to_authenticate_and_what_methods_a_route_allows() -> None:
    with _client(guarded=True) as client:
        unauthenticated = client.get("/history")
        assert unauthenticated.status_code == 401 and unauthenticated.json()["code"] == "auth.required"
        assert unauthenticated.headers["www-authenticate"].startswith("X-Internal-Token")
        wrong_method = client.delete("/history", headers={"x-internal-token": "secret"})
        assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "request.method_not_allowed"
        assert "GET" in wrong_method.headers["allow"]


async def _visible(account_id: str, request: Request[Any, Any, Any]) -> str:
    if account_id != "1":
        raise NotFound("account.not_found", f"account {account_id} not found")
    refuse_deferred_body(request)
    return account_id


@post("/api/accounts/{account_id:str}/notes", dependencies={"account": Provide(_visible)})
async def note(account: str, data: dict[str, str]) -> dict[str, Any]:
    return {"account": account, **data}


@post("/api/elsewhere")
async def elsewhere(data: dict[str, str]) -> dict[str, Any]:
    return data


def test_under_access_first_paths_a_bad_body_waits_for_the_access_check() -> None:
    app = at_the_edge(Litestar([note, elsewhere], exception_handlers=exception_handlers), "test",
                      access_first=("/api/accounts/",))
    bodies = [(b'{"text": "a\\u0000b"}', "application/json", 400, "request.control_character"),
              (b'{"text": ', "application/json", 400, "request.invalid"),
              (b"text=a", "text/plain", 415, "request.unsupported_media_type")]
    with TestClient(app) as client:
        for body, media, status, code in bodies:
            foreign = client.post("/api/accounts/2/notes", content=body, headers={"content-type": media})
            assert (foreign.status_code, foreign.json()["code"]) == (404, "account.not_found"), foreign.text
            own = client.post("/api/accounts/1/notes", content=body, headers={"content-type": media})
            assert (own.status_code, own.json()["code"]) == (status, code), own.text
            if code != "request.invalid":  # elsewhere the edge answers at once, as before
                at_once = client.post("/api/elsewhere", content=body, headers={"content-type": media})
                assert (at_once.status_code, at_once.json()["code"]) == (status, code), at_once.text
        fine = client.post("/api/accounts/1/notes", json={"text": "hello"})
        assert fine.status_code == 201 and fine.json() == {"account": "1", "text": "hello"}
