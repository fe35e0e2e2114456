"""End to end over running processes (issue 13): on one stack with the demo data, through the
gateway, each feature group of the rest of the cabinet: support requests with the author's e-mail
(the SMTP sink is the mailbox) and the knowledge base; self-service and list add-ons; a service
password handed to the network and in no log; the requisites page; a Uniteller top-up registered
once however often its notification comes; support's credential reset; a TV partner package; a
mobile number's SIM codes and call forwarding."""

from __future__ import annotations

import hashlib
import re

import httpx

from shared.run import DEMO_OPERATOR, DEMO_SUBSCRIBER
from tests.e2e.conftest import Stack, poll

ADMIN = ("a1-3003", "demo-admin-3003")
SERVICE_PASSWORD = "E2e-Pppoe-Pass7"


def _ok(response: httpx.Response, status: int = 200) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_rest_of_the_cabinet_through_the_gateway(stack: Stack) -> None:
    stack.load_demo_data()
    gateway = stack.urls["gateway"]
    me, operator, admin = stack.login(*DEMO_SUBSCRIBER), stack.login(*DEMO_OPERATOR), stack.login(*ADMIN)
    account = f"{gateway}/api/v1/accounts/1015"
    poll(lambda: httpx.get(f"{account}/summary", headers=me), lambda r: r.status_code == 200 and r.json()["lines"])

    # Support requests: filed, answered (the author gets the answer by e-mail), closed.
    filed = _ok(httpx.post(f"{account}/support-requests", headers=me,
                           json={"topic": "internet", "title": "Медленный интернет", "text": "Вечером 2 Мбит/с"}), 201)
    request = f"{account}/support-requests/{filed['request_id']}"
    _ok(httpx.post(f"{request}/messages", headers=operator, json={"text": "Проверили линию, исправлено."}))
    mail = poll(lambda: stack.log_text("smtp-sink"), lambda text: "Проверили линию, исправлено." in text)
    assert "to ivanov@example.com" in mail
    _ok(httpx.post(f"{request}/close", headers=operator))
    thread = _ok(httpx.get(request, headers=me))
    assert thread["status"] == "closed" and [m["by"] for m in thread["messages"]] == ["author", "operator"]
    assert _ok(httpx.get(f"{gateway}/api/v1/knowledge-base", headers=me))["pages"]

    # Add-ons: the subscriber's own, as the tariff allows; the admin's one action over a list.
    connected = _ok(httpx.post(f"{account}/lines/inet-1015/add-ons", headers=me, json={"service_id": "static-ip"}))
    assert connected["connected"] is True and connected["read_model_current"] is True
    assert "static-ip" in str(_ok(httpx.get(f"{account}/summary", headers=me))["lines"])
    bulk = _ok(httpx.post(f"{gateway}/api/v1/organizations/org-a1/subscribers/add-ons", headers=admin, json={
        "action": "connect", "service_id": "voicemail-plus",
        "items": [{"account_id": "3004", "line_id": "mob-375291003003"},
                  {"account_id": "3004", "line_id": "mob-375291003004"}]}))
    assert bulk["changed"][0]["events"] == 2

    # A service password: taken by the (dev) network, in no service's log.
    changed = _ok(httpx.post(f"{account}/lines/inet-1015/password", headers=me, json={
        "password": SERVICE_PASSWORD, "password_confirmation": SERVICE_PASSWORD}))
    assert changed["kind"] == "internet"
    assert all(SERVICE_PASSWORD not in stack.log_text(name) for name in stack.logs)

    # The organization's requisites.
    requisites = _ok(httpx.get(f"{gateway}/api/v1/accounts/3003/requisites", headers=admin))
    assert requisites["client"]["tax_id"] == "190000001" and requisites["invoice_delivery"]["method"] == "email"

    # Uniteller: the top-up's page is signed; its notification, sent three times, credits once.
    top_up = _ok(httpx.post(f"{account}/top-ups", headers=me, json={"amount": "75.00", "provider": "uniteller"}), 201)
    assert top_up["redirect_url"].startswith("https://wpay.uniteller.ru/pay/?")
    order = top_up["top_up_id"]
    signature = hashlib.md5(f"{order}paidE2E-77775.00dev-uniteller-password".encode()).hexdigest().upper()
    notification = {"Order_ID": order, "Status": "paid", "BillNumber": "E2E-777", "Total": "75.00",
                    "Signature": signature}
    for _ in range(3):
        answer = httpx.post(f"{stack.urls['payments']}/public/v1/providers/uniteller/notification", data=notification)
        assert answer.status_code == 200 and answer.text == "OK", answer.text
    history = poll(lambda: httpx.get(f"{account}/payments", headers=me),
                   lambda r: any(p["method"] == "uniteller" for p in r.json()["items"])).json()
    assert [p["amount"] for p in history["items"] if p["method"] == "uniteller"] == ["75.00"]

    # Support restores access: contract number and full name; the password reaches the mailbox only.
    reset = _ok(httpx.post(f"{gateway}/api/v1/support/credential-resets", headers=operator,
                           json={"contract_number": "2002", "full_name": "Сидорова Анна Петровна"}), 201)
    assert reset["channel"] == "email" and "password" not in reset
    mail = poll(lambda: stack.log_text("smtp-sink"), lambda text: "sidorova@example.com" in text)
    temporary = re.search(r"временный пароль для входа в личный кабинет: ([A-Za-z0-9]{10})", mail)
    assert temporary is not None, mail
    logged_in = _ok(httpx.post(f"{gateway}/api/v1/auth/login", json={"login": "2002", "password": temporary[1]}))
    assert logged_in["user"]["must_change_password"] is True

    # A TV partner's package on the demo TV line (the sandbox partner accepts).
    packages = _ok(httpx.get(f"{account}/lines/tv-1015/tv-subscriptions", headers=me))["packages"]
    assert {p["service_id"] for p in packages if p["active"]} == {"smotreshka-start"}
    tv = _ok(httpx.post(f"{account}/lines/tv-1015/tv-subscriptions", headers=me, json={"service_id": "24tv-base"}))
    assert tv["active"] is True and tv["partner"] == "24tv"

    # A mobile number (seed 003): the admin sees the SIM codes, support does not; forwarding is set.
    line = f"{gateway}/api/v1/accounts/3004/lines/mob-375291003003"
    sim = httpx.get(f"{line}/sim", headers=admin)
    assert sim.status_code == 200 and sim.json()["codes"]["puk1"] == "12345678", sim.text
    assert httpx.get(f"{line}/sim", headers=operator).status_code == 403
    forwarded = _ok(httpx.put(f"{line}/call-forwarding/unconditional", headers=admin,
                              json={"target": "+375 29 765-43-21"}))
    assert forwarded["call_forwarding"] == {"unconditional": "375297654321"}
    assert all("12345678" not in stack.log_text(name) for name in stack.logs)
