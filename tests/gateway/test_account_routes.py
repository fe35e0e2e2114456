"""Every route under an account gets it through the one visibility check: it takes `account`
(entrypoints/common.py `visible_account`), never the raw `account_id` path parameter; only the
pages answered by one read (listed below) take `account_id` and decide on the row their read
brought (`Page.admit`, the same rule). The authorization matrix (test_authorization_matrix.py)
proves the check answers 404 on every route; this proves no other route goes around it."""

from __future__ import annotations

from litestar.handlers import HTTPRouteHandler

from services.gateway.app import create_app
from services.gateway.entrypoints.common import visible_account
from services.gateway.settings import GatewaySettings

#: Handlers whose one read carries the session and visibility checks (`Page.admit`).
ONE_READ_PAGES = {"summary", "balance"}


def test_every_route_under_an_account_takes_it_through_visible_account() -> None:
    app = create_app(GatewaySettings(billing_env="test", database_url="postgresql://127.0.0.1:9/none",
                                     kafka_bootstrap_servers="127.0.0.1:9", gateway_token_secret="t" * 32))
    handlers = [handler for route in app.routes if "{account_id" in route.path
                for handler in getattr(route, "route_handlers", [])
                if isinstance(handler, HTTPRouteHandler) and handler.http_methods != {"OPTIONS"}]
    assert len(handlers) >= 21
    one_read = [h for h in handlers if h.handler_name in ONE_READ_PAGES]
    assert len(one_read) == len(ONE_READ_PAGES)
    for handler in one_read:
        parameters = handler.parsed_fn_signature.parameters
        assert "account_id" in parameters and "account" not in parameters, handler
    for handler in handlers:
        if handler in one_read:
            continue
        parameters = handler.parsed_fn_signature.parameters
        assert "account" in parameters and "account_id" not in parameters, handler
        assert handler.resolve_dependencies()["account"].dependency is visible_account, handler
