"""What every service's OpenAPI document says, read as a client reads it (GET /schema/openapi.json):
who may call, every error as a problem, typed answers, request bodies as strict as the server, and
the API viewer served from the repository. schemathesis (test_schemathesis.py) checks that the
servers answer as these documents say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from services.accounts.app import create_app as create_accounts
from services.accounts.settings import AccountsSettings
from services.gateway.app import create_app as create_gateway
from services.gateway.settings import GatewaySettings
from services.invoicing.app import create_app as create_invoicing
from services.invoicing.settings import InvoicingSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.payments.app import create_app as create_payments
from services.payments.settings import PaymentsSettings
from services.telephony.app import create_app as create_telephony
from services.telephony.settings import TelephonySettings
from shared.money import AMOUNT_PATTERN
from shared.openapi import BEARER, INTERNAL_TOKEN, PROBLEM_JSON, SWAGGER_UI_VERSION

#: No request reaches a database here: the documents need no lifespan.
COMMON = {"billing_env": "test", "database_url": "postgresql://unused/unused", "kafka_bootstrap_servers": "unused:9",
          "internal_api_token": "test-internal-token", "log_format": "console"}
METHODS = ("get", "put", "post", "patch", "delete")


def apps() -> dict[str, Litestar]:
    return {
        "gateway": create_gateway(GatewaySettings(**COMMON, gateway_token_secret="s" * 32)),
        "accounts": create_accounts(AccountsSettings(**COMMON)),
        "payments": create_payments(PaymentsSettings(**COMMON)),
        "notifications": create_notifications(NotificationsSettings(**COMMON, sms_gateway_token="t")),
        "invoicing": create_invoicing(InvoicingSettings(**COMMON)),
        "telephony": create_telephony(TelephonySettings(**COMMON)),
    }


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    found = {}
    for name, app in apps().items():
        response = TestClient(app).get("/schema/openapi.json")
        assert response.status_code == 200, name
        found[name] = response.json()
    return found


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_route_that_needs_a_caller_says_how_to_authenticate(documents: dict[str, dict[str, Any]]) -> None:
    gateway = documents["gateway"]
    assert gateway["components"]["securitySchemes"][BEARER] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "opaque",
        "description": "the access token from POST /api/v1/auth/login (15 minutes)"}
    public = {"/api/v1/auth/login", "/api/v1/auth/code", "/api/v1/auth/code/login", "/api/v1/auth/recovery",
              "/api/v1/auth/refresh", "/api/v1/auth/logout"}
    for path, method, operation in operations(gateway):
        assert bool(operation.get("security")) == (path not in public), (method, path)
        if operation.get("security"):
            assert operation["security"] == [{BEARER: []}]
            assert "401" in operation["responses"], (method, path)
    for name in ("accounts", "payments", "notifications", "invoicing"):
        assert documents[name]["components"]["securitySchemes"][INTERNAL_TOKEN]["name"] == "x-internal-token"
        for path, method, operation in operations(documents[name]):
            assert operation["security"] == [{INTERNAL_TOKEN: []}], (name, method, path)


def test_every_error_is_a_documented_problem(documents: dict[str, dict[str, Any]]) -> None:
    for name, document in documents.items():
        problem = document["components"]["schemas"]["Problem"]
        assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
        assert {"type", "title", "status", "detail", "code", "errors"} <= set(problem["properties"])
        for path, method, operation in operations(document):
            errors = {status: answer for status, answer in operation["responses"].items() if int(status) >= 400}
            assert "503" in errors, (name, method, path)
            if operation.get("requestBody"):
                assert {"400", "413", "415", "422"} <= set(errors), (name, method, path)
            if "{" in path:
                assert "404" in errors, (name, method, path)
            if method != "get":
                assert {"409", "422"} <= set(errors), (name, method, path)
            for answer in errors.values():
                assert answer["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    login = documents["gateway"]["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"401", "429"} <= set(login)


def test_every_answer_has_a_typed_schema(documents: dict[str, dict[str, Any]]) -> None:
    for name, document in documents.items():
        schemas = document["components"]["schemas"]
        typed = 0
        for path, method, operation in operations(document):
            for status, answer in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                if "application/json" not in answer["content"]:  # a file: bytes in each of its types
                    assert all(c["schema"] == {"type": "string", "format": "binary"}
                               for c in answer["content"].values()), (name, method, path)
                    typed += 1
                    continue
                reference = answer["content"]["application/json"]["schema"]["$ref"]
                schema = schemas[reference.rsplit("/", 1)[1]]
                assert schema["type"] == "object" and schema["properties"] and schema["required"], (name, method, path)
                typed += 1
        assert typed >= len(list(operations(document))), name
    download = documents["invoicing"]["paths"][
        "/internal/v1/accounts/{account_id}/invoices/{period}/documents/{document_format}"]["get"]["responses"]["200"]
    assert set(download["content"]) == {
        "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    summary = documents["gateway"]["components"]["schemas"]["AccountPage"]["properties"]
    assert summary["balance"] == {"title": "Balance", "type": "string"}
    assert summary["lines"]["items"] == {"$ref": "#/components/schemas/Line"}


def test_request_bodies_are_as_strict_as_the_server(documents: dict[str, dict[str, Any]]) -> None:
    gateway = documents["gateway"]["components"]["schemas"]
    top_up = gateway["TopUpRequest"]
    assert top_up["additionalProperties"] is False
    assert top_up["properties"]["amount"]["pattern"] == AMOUNT_PATTERN
    assert top_up["properties"]["provider"]["enum"] == ["robokassa", "uniteller", "webhook", "sandbox"]
    assert gateway["CodeLogin"]["properties"]["code"]["pattern"] == "^[0-9]{4,8}$"
    assert gateway["RenameItem"]["properties"]["account_id"]["pattern"].startswith("^[A-Za-z0-9]")
    assert gateway["PasswordLogin"]["properties"]["login"]["pattern"]  # no control characters
    for name, document in documents.items():
        for path, method, operation in operations(document):
            body = operation.get("requestBody")
            if body:
                reference = body["content"]["application/json"]["schema"]["$ref"]
                schema = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
                assert schema["additionalProperties"] is False, (name, method, path)
    assert re.fullmatch(AMOUNT_PATTERN, "150.00") and not re.fullmatch(AMOUNT_PATTERN, "0.00")


def test_the_api_viewer_comes_from_the_repository() -> None:
    for name, app in apps().items():
        client = TestClient(app)
        page = client.get("/schema")
        assert page.status_code == 200, name
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(source.startswith("/schema/assets/") for source in sources), sources
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200 and asset.content, source
    bundle = TestClient(apps()["gateway"]).get("/schema/assets/swagger-ui-bundle.js").text
    assert SWAGGER_UI_VERSION in bundle  # the pinned version, vendored
