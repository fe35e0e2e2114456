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
from tests.gateway.factories import SUBSCRIBER, Cabinet

#: Handlers whose one read carries the session and visibility checks (`Page.admit`).
ONE_READ_PAGES = {"summary", "balance"}


def test_every_route_under_an_account_takes_it_through_visible_account() -> None:
    app = create_app(GatewaySettings(billing_env="test", database_url="postgresql://127.0.0.1:9/none",
                                     kafka_bootstrap_servers="127.0.0.1:9", gateway_token_secret="t" * 32))
    handlers = [handler for route in app.routes
                if "{account_id" in route.path and route.path.startswith("/api/")  # pages: test_cabinet_pages.py
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


async def test_the_one_read_pages_judge_a_request_in_the_same_order_as_every_other_route(cabinet: Cabinet) -> None:
    """Who calls first (401), then the account id's syntax (400), then whose account it is (404),
    with the same answers as a route checking through `visible_account` (the blocks page)."""
    bearer = await cabinet.login(*SUBSCRIBER)
    for account_id, headers in [("bad!id", {}), ("bad!id", bearer), ("2002", bearer), ("1015", bearer)]:
        answers = {}
        for page in (*ONE_READ_PAGES, "blocks"):
            answer = await cabinet.client.get(f"/api/v1/accounts/{account_id}/{page}", headers=headers)
            body = answer.json()
            answers[page] = (answer.status_code, body.get("code"), repr(body.get("errors"))) if answer.status_code >= 400 \
                else (answer.status_code, None, None)
        assert len(set(answers.values())) == 1, (account_id, answers)
    assert answers["blocks"][0] == 200
