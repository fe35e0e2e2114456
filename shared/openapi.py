"""The OpenAPI document every service publishes, written once: who may call (a bearer token on the
cabinet's routes, the internal token on the internal APIs), every error a route can answer as an
RFC 9457 problem (`application/problem+json`, schema `Problem`), request bodies as strict as the
server (no extra fields: every request model forbids them), and the API viewer (Swagger UI) served
from the repository's own copy (`shared/openapi_assets/swagger-ui`, version `SWAGGER_UI_VERSION`),
never from a CDN.

Litestar builds the document from the routes; `refine` then completes what Litestar cannot know,
by rules that hold for every route of every service (shared/http.py answers them all):

| status | when the document lists it |
|---|---|
| 400 `request.invalid`, ... | the route takes parameters or a body that may not match the API |
| 422 (a rule's code) | the same, when they match the API but a rule refuses their values, and every command |
| 401 `auth.*` | the route has a security requirement (or lists it: a login) |
| 403 `auth.password_change_required` | a cabinet route that needs a caller whose password is current |
| 404 `*.not_found` | the path has parameters or the route takes a body (an unknown or foreign id answers |
| | like a missing one) |
| 409 | a command (not GET): a reused idempotency key, a concurrent change, a duplicate |
| 413, 415 | the route takes a body (larger than 1 MiB; not `application/json`) |
| 503 `service.unavailable` | every route (the database or a service behind it is not answering) |

A command answering 201 answers 200 with its first answer when repeated with the same
`Idempotency-Key` (shared/http.py `command_response`): the document lists that 200 too.

A route answering anything else (401 for a login, 403 for a role, 424 for an undeliverable secret,
429 for an attempt limit) says so with `responses=problems(...)`. Its 2xx answer is typed with
`responses=answers(status, Type)` (a TypedDict: documentation only, the route returns its dict as
before, so no request pays for it). Request bodies and answers are documented by pydantic's schema
of their types, the one the server validates with (Litestar's own rendering drops patterns); text
fields say they take no control character (shared/request_guard.py refuses them).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from litestar import Litestar, Request
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from pydantic import BaseModel, TypeAdapter

__all__ = [
    "ASSETS_PATH",
    "BEARER",
    "INTERNAL_TOKEN",
    "PROBLEM_JSON",
    "PROBLEM_SCHEMA",
    "SWAGGER_UI_VERSION",
    "File",
    "Problem",
    "answers",
    "files",
    "openapi_config",
    "problems",
    "refine",
]

PROBLEM_JSON = "application/problem+json"
#: The security schemes' names in `components.securitySchemes`.
BEARER = "bearer"
INTERNAL_TOKEN = "internalToken"
#: The vendored Swagger UI (swagger-ui-dist on npm), served under `ASSETS_PATH`.
SWAGGER_UI_VERSION = "5.35.0"
ASSETS_DIR = Path(__file__).parent / "openapi_assets" / "swagger-ui"
ASSETS_PATH = "/schema/assets"

#: Why each status is answered, as the document says it.
_WHY = {
    400: "The request does not match the API (parameters, body, JSON encoding, nesting, control characters)",
    401: "Who calls could not be established: no, a wrong or an expired credential",
    403: "The caller may not do this (yet)",
    404: "Not found (a foreign one answers exactly like a missing one)",
    409: "Conflicts with what was recorded: an idempotency key reused for another request, a concurrent change",
    413: "The body is larger than 1 MiB",
    415: "The body is not sent as application/json",
    422: "The request matches the API, but a rule refuses its values; `code` says which",
    424: "The channel's provider (mail server, SMS gateway) did not take the message; ask for a new one",
    429: "Too many attempts; `retry_after_s` says when to try again",
    503: "The database or a service behind this one is not answering; nothing was changed, try again",
}

#: An RFC 9457 problem, as shared/http.py writes every error answer.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details with a stable `code`; a few codes add fields of their own",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "urn:billing:problem:<code>", "examples": [
            "urn:billing:problem:account.not_found"]},
        "title": {"type": "string", "description": "the code in words"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what happened this time"},
        "code": {"type": "string", "description": "stable, for programs", "examples": ["account.not_found"]},
        "errors": {
            "type": "array", "description": "the fields that do not match (400 request.invalid)",
            "items": {"type": "object", "required": ["field", "message"], "properties": {
                "field": {"type": ["string", "null"]}, "message": {"type": ["string", "null"]}}},
        },
    },
    "additionalProperties": True,
}


@dataclass(frozen=True)
class Problem:
    """What `problems(...)` names as the body; the document's schema is `PROBLEM_SCHEMA`."""

    type: str
    title: str
    status: int
    detail: str
    code: str


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """`responses=` for a route that answers these error statuses beyond the rules in the module's
    docstring (e.g. 403 for a role, 429 for an attempt limit)."""
    return {status: ResponseSpec(data_container=Problem, media_type=PROBLEM_JSON, description=_WHY.get(
        status, "See `code`"), generate_examples=False) for status in statuses}


def answers(status: int, model: Any, description: str = "OK") -> dict[int, ResponseSpec]:
    """`responses=` documenting a 2xx answer's body as `model` (a TypedDict, dataclass or model),
    for a route that returns its read model's dict as is: documentation only, nothing runs per
    request."""
    return {status: ResponseSpec(data_container=model, description=description, generate_examples=False)}


class File:
    """What `files(...)` names as a download's body: bytes in one of `media_types`."""

    media_types: tuple[str, ...] = ()


def files(status: int, *media_types: str, description: str) -> dict[int, ResponseSpec]:
    """`responses=` for a route answering a file (a document's bytes) in one of `media_types`."""
    marker = type("File", (File,), {"media_types": media_types})
    return {status: ResponseSpec(data_container=marker, media_type=media_types[0], description=description,
                                 generate_examples=False)}


class _Swagger(SwaggerRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, refine(openapi_schema, request.app))


class _Json(JsonRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, refine(openapi_schema, request.app))


def openapi_config(title: str, version: str, *, description: str,
                   security: Literal["bearer", "internal"]) -> OpenAPIConfig:
    """The document at /schema/openapi.json and Swagger UI at /schema (from the repo's assets)."""
    assets = ASSETS_PATH
    schemes = {
        BEARER: SecurityScheme(type="http", scheme="bearer", bearer_format="opaque",
                               description="the access token from POST /api/v1/auth/login (15 minutes)"),
    } if security == "bearer" else {
        INTERNAL_TOKEN: SecurityScheme(type="apiKey", name="x-internal-token", security_scheme_in="header",
                                       description="the internal API token every service shares (INTERNAL_API_TOKEN)"),
    }
    return OpenAPIConfig(
        title=title, version=version, description=description, path="/schema",
        components=Components(security_schemes=schemes),  # type: ignore[arg-type]
        render_plugins=[
            _Json(path="/openapi.json"),
            _Swagger(path=["/", "/swagger"], js_url=f"{assets}/swagger-ui-bundle.js",
                     css_url=f"{assets}/swagger-ui.css",
                     standalone_preset_js_url=f"{assets}/swagger-ui-standalone-preset.js",
                     favicon=f'<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">'),
        ],
    )


def asset_routes() -> list[Any]:
    """The viewer's files, from the repository (no CDN)."""
    return [create_static_files_router(ASSETS_PATH, directories=[ASSETS_DIR], include_in_schema=False,
                                       name="openapi-assets")]


# -- completing the document ------------------------------------------------------------------------
#: Per document Litestar built (an app builds one, on the first request for it): the document, held so
#: that its id stays its own, and the refined copy.
_REFINED: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
_METHODS = ("get", "put", "post", "delete", "patch")


def refine(schema: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """The document with every rule of the module's docstring applied (once per document)."""
    done = _REFINED.get(id(schema))
    if done is not None and done[0] is schema:
        return done[1]
    refined = copy.deepcopy(schema)
    components = refined.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schemas = components.setdefault("schemas", {})
    for model in _request_models(app):
        schemas.update(_request_schemas(model))
    answered = _answers(app, schemas)
    sessions = _session_routes(app)
    for path, item in refined.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is not None:
                for status, content in answered.get((path, method), {}).items():
                    operation["responses"].setdefault(status, {"description": "OK"})["content"] = content
                _complete(path, method, operation, (path, method) in sessions)
    _REFINED[id(schema)] = (schema, refined)
    return refined


def _complete(path: str, method: str, operation: dict[str, Any], session_only: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = {int(status) for status in responses if status.isdigit() and int(status) >= 400}
    statuses.add(503)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses |= {400, 422}
    if operation.get("requestBody"):
        statuses |= {413, 415}
    security = operation.get("security") or []
    if security:
        statuses.add(401)
        if any(BEARER in requirement for requirement in security) and not session_only:
            statuses.add(403)
    if "{" in path or operation.get("requestBody"):
        statuses.add(404)
    if method != "get":
        statuses |= {409, 422}
    created = responses.get("201")
    if created is not None and method != "get" and "200" not in responses:
        responses["200"] = {**created, "description": "A repeat with the same Idempotency-Key: the first answer"}
    for status in sorted(statuses):
        given = responses.get(str(status), {})
        responses[str(status)] = {
            "description": given.get("description") if given.get("description") not in (None, "", *_DEFAULTS)
            else _WHY.get(status, "See `code`"),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            **({"headers": given["headers"]} if given.get("headers") else {}),
        }
    if "401" in responses:
        responses["401"].setdefault("headers", {})["www-authenticate"] = {
            "description": "the scheme to authenticate with", "schema": {"type": "string"}}
    for retried in ("429", "503"):
        if retried in responses:
            responses[retried].setdefault("headers", {})["retry-after"] = {
                "description": "seconds to wait", "required": False, "schema": {"type": "string"}}


#: Litestar's generic descriptions of a status, replaced by what it means here.
_DEFAULTS = ("Bad request syntax or unsupported method",)


def _handlers(app: Litestar) -> Iterable[tuple[str, str, Any]]:
    for route in app.routes:
        handler_map: Mapping[str, Any] = getattr(route, "route_handler_map", {})
        for method, entry in handler_map.items():
            handler = entry[0] if isinstance(entry, tuple) else entry
            yield route.path_format, method.lower(), handler


def _session_routes(app: Litestar) -> set[tuple[str, str]]:
    """Routes that take the caller even before a due password change (`session`, not `caller`)."""
    found = set()
    for path, method, handler in _handlers(app):
        parameters = handler.parsed_fn_signature.parameters
        if "session" in parameters and "caller" not in parameters:
            found.add((path, method))
    return found


def _answers(app: Litestar, schemas: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The 2xx bodies routes document with `answers(...)`: pydantic's schema of each type (its
    serialized form), into `schemas`; with `files(...)`, bytes in each media type; per route,
    status -> content."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path, method, handler in _handlers(app):
        for status, spec in (handler.responses or {}).items():
            container = spec.data_container
            if 200 <= status < 300 and isinstance(container, type) and issubclass(container, File):
                found.setdefault((path, method), {})[str(status)] = {
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in container.media_types}
            elif 200 <= status < 300 and spec.data_container is not None:
                schema = TypeAdapter(spec.data_container).json_schema(
                    ref_template="#/components/schemas/{model}", mode="serialization")
                schemas.update(schema.pop("$defs", {}))
                name = spec.data_container.__name__
                schemas[name] = schema
                found.setdefault((path, method), {})[str(status)] = {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
    return found


def _request_models(app: Litestar) -> list[type[BaseModel]]:
    """The models the routes take as their body."""
    found: list[type[BaseModel]] = []
    for _, _, handler in _handlers(app):
        data = handler.parsed_fn_signature.parameters.get("data")
        annotation = data.annotation if data is not None else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
            found.append(annotation)
    return found


#: The characters no text field takes (shared/request_guard.py refuses them in any string).
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
#: Formats whose syntax already leaves no room for a control character.
_STRICT_FORMATS = frozenset({"date", "date-time", "time", "uuid", "uri", "ipv4", "ipv6"})


def _request_schemas(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s schema (and the models inside it) as pydantic validates it: the server's own rules
    (patterns, bounds, `additionalProperties: false` for a model that forbids extra fields), where
    Litestar's rendering drops some; text fields say they take no control character."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    definitions[model.__name__] = schema
    for definition in definitions.values():
        _no_control_characters(definition)
    return definitions


def _no_control_characters(schema: Any) -> None:
    if isinstance(schema, list):
        for item in schema:
            _no_control_characters(item)
        return
    if not isinstance(schema, dict):
        return
    if "patternProperties" in schema and "additionalProperties" not in schema:
        schema["additionalProperties"] = False  # pydantic refuses a key its pattern does not take
    if (schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema
            and "const" not in schema and schema.get("format") not in _STRICT_FORMATS):
        schema["pattern"] = NO_CONTROL_CHARACTERS
    for key, value in schema.items():
        if key not in ("examples", "default", "enum", "const"):
            _no_control_characters(value)
