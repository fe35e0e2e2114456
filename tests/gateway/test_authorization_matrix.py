"""Authorization on every gateway route: each role, someone else's account -> 404, never data,
nothing changed; no token -> 401. Every route with an account in its path must be listed here: a
route added without an entry fails this test."""

from __future__ import annotations

from typing import Any

from tests.accounts.factories import events_of
from tests.gateway.factories import OPERATOR, ORG_ADMIN, SUBSCRIBER, Cabinet

BLOCK = {"starts_on": "2026-03-20", "days": 14}
#: (method, path, body) of every route naming an account; {a} is the account, the rest any id.
ACCOUNT_ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/api/v1/accounts/{a}/summary", None),
    ("GET", "/api/v1/accounts/{a}/balance", None),
    ("GET", "/api/v1/accounts/{a}/payments", None),
    ("GET", "/api/v1/accounts/{a}/blocks", None),
    ("GET", "/api/v1/accounts/{a}/requisites", None),
    ("POST", "/api/v1/accounts/{a}/blocks", BLOCK),
    ("POST", "/api/v1/accounts/{a}/blocks/{block_id}/cancel", None),
    ("POST", "/api/v1/accounts/{a}/blocks/{block_id}/lift", None),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/tariffs", None),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/tariff", {"tariff_id": "inet-100-1m", "mode": "now"}),
    ("POST", "/api/v1/accounts/{a}/top-ups", {"amount": "10.00", "provider": "sandbox"}),
    ("GET", "/api/v1/accounts/{a}/promised-payments/offer", None),
    ("GET", "/api/v1/accounts/{a}/promised-payments", None),
    ("POST", "/api/v1/accounts/{a}/promised-payments", {"amount": "10.00"}),
    ("GET", "/api/v1/accounts/{a}/autopay", None),
    ("PUT", "/api/v1/accounts/{a}/autopay", {"provider": "sandbox", "method_token": "tok-12345678"}),
    ("PATCH", "/api/v1/accounts/{a}/autopay", {"cap": "10.00"}),
    ("DELETE", "/api/v1/accounts/{a}/autopay", None),
    ("GET", "/api/v1/accounts/{a}/guarantees", None),
    ("POST", "/api/v1/accounts/{a}/guarantees", {"amount": "10.00", "pay_by": "2026-04-10"}),
    ("POST", "/api/v1/accounts/{a}/payments/{payment_id}/reversal", {"reason": "wrong account"}),
    ("GET", "/api/v1/accounts/{a}/messages", None),
    ("GET", "/api/v1/accounts/{a}/charges", None),
    ("GET", "/api/v1/accounts/{a}/charges/history", None),
    ("GET", "/api/v1/accounts/{a}/charges/previous-month", None),
    ("GET", "/api/v1/accounts/{a}/invoices", None),
    ("POST", "/api/v1/accounts/{a}/invoices/{period}/documents", {"format": "pdf"}),
    ("GET", "/api/v1/accounts/{a}/invoices/{period}/documents/{document_format}", None),
    ("GET", "/api/v1/accounts/{a}/invoice-delivery", None),
    ("PUT", "/api/v1/accounts/{a}/invoice-delivery", {"method": "email", "addresses": "a@x.by"}),
    ("POST", "/api/v1/accounts/{a}/invoice-sends", {"period": "2026-02"}),
    ("POST", "/api/v1/accounts/{a}/preliminary-invoices", {"numbers": "375170003003"}),
    ("POST", "/api/v1/accounts/{a}/charges-mailings", {"numbers": "375170003003"}),
    ("GET", "/api/v1/accounts/{a}/installments", None),
    ("GET", "/api/v1/accounts/{a}/reports", None),
    ("POST", "/api/v1/accounts/{a}/reports", {"date_from": "2026-03-01", "date_to": "2026-03-02"}),
    ("GET", "/api/v1/accounts/{a}/reports/{report_id}/document", None),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/add-ons", None),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/add-ons", {"service_id": "static-ip"}),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/add-ons/{service_id}/disconnect", None),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/password",
     {"password": "Str0ng-pass", "password_confirmation": "Str0ng-pass"}),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/tv-subscriptions", None),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/tv-subscriptions", {"service_id": "smotreshka-start"}),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/tv-subscriptions/{service_id}/end", None),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/sim", None),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/mobile-settings", None),
    ("PUT", "/api/v1/accounts/{a}/lines/{line_id}/call-forwarding/{condition}", {"target": "+375291234567"}),
    ("PUT", "/api/v1/accounts/{a}/lines/{line_id}/voicemail-copy", {"email": "x@example.com"}),
    ("GET", "/api/v1/accounts/{a}/support-requests", None),
    ("POST", "/api/v1/accounts/{a}/support-requests", {"topic": "other", "title": "t", "text": "x"}),
    ("GET", "/api/v1/accounts/{a}/support-requests/{request_id}", None),
    ("POST", "/api/v1/accounts/{a}/support-requests/{request_id}/messages", {"text": "x"}),
    ("POST", "/api/v1/accounts/{a}/support-requests/{request_id}/close", None),
    ("GET", "/api/v1/accounts/{a}/telephony/lines", None),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/services", None),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/channels", None),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/channels/review", {"channels": 20}),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/channels", {"channels": 20}),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/sip-settings", None),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/sip-password", {"password": "new-sip-pass-1"}),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/internet", None),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/internet", {"enabled": False}),
    ("POST", "/api/v1/accounts/{a}/lines/{line_id}/pause", {"paused": True}),
    ("GET", "/api/v1/accounts/{a}/lines/{line_id}/calls", None),
    ("POST", "/api/v1/accounts/{a}/call-detail-orders",
     {"numbers": "375170003003", "date_from": "2026-03-01", "date_to": "2026-03-02"}),
]
#: Someone else's accounts for each role: another subscriber's, another organization's. An operator
#: (support staff) may see every account, so has none; the positive controls below show it.
FOREIGN = {"subscriber": ["2002", "3003"], "org_admin": ["1015", "2002"], "operator": []}
OWN = {"subscriber": ["1015"], "org_admin": ["3003", "3004"], "operator": ["1015", "2002", "3003", "3004"]}


def _fill(path: str, account_id: str) -> str:
    return path.format(a=account_id, block_id="b-1", line_id=f"inet-{account_id}", payment_id="p-1", period="2026-02",
                       document_format="pdf", request_id="r-1", service_id="static-ip", condition="busy",
                       report_id="00000000-0000-0000-0000-000000000001")


def _template(path: str) -> str:
    """`/api/v1/accounts/{account_id:str}/blocks/{block_id:str}` -> `/api/v1/accounts/{a}/blocks/{block_id}`."""
    for name in ("account_id", "block_id", "line_id", "payment_id", "period", "document_format", "request_id",
                 "service_id", "condition", "report_id"):
        path = path.replace(f"{{{name}:str}}", "{a}" if name == "account_id" else f"{{{name}}}")
    return path


async def _call(cabinet: Cabinet, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return await cabinet.client.request(method, path, json=body, headers=headers)


async def test_every_route_naming_an_account_is_in_the_matrix(cabinet: Cabinet) -> None:
    app = cabinet.client._transport.app  # type: ignore[attr-defined]
    listed = {(m, p) for m, p, _ in ACCOUNT_ROUTES}
    served = {(method, _template(route.path)) for route in app.routes
              if "{account_id" in route.path and route.path.startswith("/api/")  # pages: test_cabinet_pages.py
              for method in route.methods if method not in ("OPTIONS", "HEAD")}
    assert served - listed == set(), "add these routes to the authorization matrix"

    roles = {"subscriber": SUBSCRIBER, "org_admin": ORG_ADMIN, "operator": OPERATOR}
    tokens = {role: await cabinet.login(*credentials) for role, credentials in roles.items()}
    before = len(await events_of(cabinet.database_url))
    leaks = []
    for role, headers in tokens.items():
        for account_id in FOREIGN[role]:
            for method, path, body in ACCOUNT_ROUTES:
                response = await _call(cabinet, method, _fill(path, account_id), body, headers)
                if response.status_code != 404 or response.json()["code"] != "account.not_found":
                    leaks.append((role, account_id, method, path, response.status_code, response.text[:120]))
        for method, path, body in ACCOUNT_ROUTES:
            anonymous = await _call(cabinet, method, _fill(path, OWN[role][0]), body, {})
            if anonymous.status_code != 401:
                leaks.append(("anonymous", OWN[role][0], method, path, anonymous.status_code, anonymous.text[:120]))
    assert leaks == [], "\n".join(map(str, leaks))
    assert len(await events_of(cabinet.database_url)) == before  # nothing changed anywhere

    # Positive controls: the same routes do answer the caller's own accounts.
    for role, headers in tokens.items():
        for account_id in OWN[role]:
            own = await cabinet.client.get(f"/api/v1/accounts/{account_id}/summary", headers=headers)
            assert own.status_code == 200 and own.json()["account_id"] == account_id, (role, own.text)


async def test_the_selector_organization_and_profile_pages_show_only_the_callers_own(cabinet: Cabinet) -> None:
    subscriber, admin, operator = [await cabinet.login(*c) for c in (SUBSCRIBER, ORG_ADMIN, OPERATOR)]
    listed = {}
    for name, headers in (("subscriber", subscriber), ("org_admin", admin), ("operator", operator)):
        page = (await cabinet.client.get("/api/v1/accounts", headers=headers)).json()
        listed[name] = [item["account_id"] for item in page["items"]]
    assert listed == {"subscriber": ["1015"], "org_admin": ["3003", "3004"],
                      "operator": ["1015", "2002", "3003", "3004"]}

    organization = "/api/v1/organizations/org-a1/subscribers"
    assert (await cabinet.client.get(organization, headers=admin)).json()["total"] == 4
    assert (await cabinet.client.get(organization, headers=operator)).json()["total"] == 4
    for headers, path in ((subscriber, organization), (admin, "/api/v1/organizations/c1015/subscribers")):
        denied = await cabinet.client.get(path, headers=headers)
        assert denied.status_code == 404 and denied.json()["code"] == "organization.not_found"
    by_foreign_account = await cabinet.client.get(organization, params={"account_id": "1015"}, headers=admin)
    assert by_foreign_account.status_code == 404
    rename_foreign = await cabinet.client.post(
        f"{organization}/rename", headers=admin,
        json={"items": [{"account_id": "1015", "line_id": "inet-1015", "subscriber_name": "Чужой"}]})
    assert rename_foreign.status_code == 404
    assert (await cabinet.client.post(f"{organization}/rename", headers=subscriber, json={"items": [
        {"account_id": "3003", "line_id": "sip-375170003004", "subscriber_name": "Чужой"}]})).status_code == 404

    # The profile is always the caller's own.
    assert (await cabinet.client.get("/api/v1/profile", headers=subscriber)).json()["user_id"] == "u1015"
    assert (await cabinet.client.get("/api/v1/profile", headers=admin)).json()["user_id"] == "u-org-a1"
    for method, path in (("GET", "/api/v1/profile"), ("PATCH", "/api/v1/profile"), ("GET", "/api/v1/accounts"),
                         ("GET", organization), ("POST", "/api/v1/profile/sms-phone/code"),
                         ("GET", "/api/v1/auth/me")):
        assert (await cabinet.client.request(method, path, json={} if method == "PATCH" else None)
                ).status_code == 401, path
