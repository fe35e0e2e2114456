"""The web cabinet: server-rendered pages on the gateway (issue 14), under /cabinet.

`cabinet_router` gives the pages (pages.py), their one stylesheet and the vendored htmx
(static/), behind Litestar's CSRF middleware, with a Content-Security-Policy that allows no inline
script and no other origin's. `template_config` is the app's Jinja2 templates (templates/)."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import ResponseHeader
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from shared.errors import DomainError

from .invoicing_pages import InstallmentsAndReportsPages
from .line_pages import LinePages, MorePages
from .pages import CSP, SECURITY_HEADERS, AccountExtrasPages, CabinetPages, Problems, SupportPages, render
from .session import PREFIX, PasswordChangeDue, SignedOut, login_url, session_cookie

__all__ = ["CSP", "cabinet_router", "template_config"]

HERE = Path(__file__).parent


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


def _signed_out(request: Request[Any, Any, Any], error: SignedOut) -> Response[Any]:
    if request.headers.get("hx-request"):  # htmx: the whole page goes to the login form
        return Response(content=b"", status_code=204, headers={"hx-redirect": login_url(error.back_to)},
                        cookies=[session_cookie(request, None)])
    return Redirect(path=login_url(error.back_to), status_code=303, cookies=[session_cookie(request, None)])


def _password_change_due(request: Request[Any, Any, Any], _: PasswordChangeDue) -> Response[Any]:
    if request.headers.get("hx-request"):
        return Response(content=b"", status_code=204, headers={"hx-redirect": f"{PREFIX}/password"})
    return Redirect(path=f"{PREFIX}/password", status_code=303)


def _refused(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    """A refusal no form shows (a foreign or unknown account: 404, as the API answers it)."""
    if error.status == 401:
        return _signed_out(request, SignedOut(request.url.path))
    template = "not_found.html" if error.status == 404 else "error.html"
    return render(request, template, status=error.status, problems=Problems({}, [error.detail]), code=error.code)


def _csrf_failed(request: Request[Any, Any, Any], _: PermissionDeniedException) -> Response[Any]:
    return render(request, "error.html", status=403, code="csrf.failed", problems=Problems({}, []))


def cabinet_router(token_secret: bytes, secure_cookies: bool) -> Router:
    csrf = CSRFConfig(secret=hmac.new(token_secret, b"cabinet-csrf", hashlib.sha256).hexdigest(),
                      cookie_path=PREFIX, cookie_secure=secure_cookies, cookie_httponly=True,
                      cookie_samesite="lax")
    static = create_static_files_router(f"{PREFIX}/static", directories=[HERE / "static"], include_in_schema=False,
                                        name="cabinet-static")
    return Router(
        path="/", route_handlers=[CabinetPages, SupportPages, AccountExtrasPages, LinePages, MorePages,
                                    InstallmentsAndReportsPages, static],
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf)],
        exception_handlers={SignedOut: _signed_out, PasswordChangeDue: _password_change_due, DomainError: _refused,
                            PermissionDeniedException: _csrf_failed},
        response_headers=[ResponseHeader(name=k, value=v) for k, v in SECURITY_HEADERS.items()],
        include_in_schema=False,
    )
