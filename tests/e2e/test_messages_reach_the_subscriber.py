"""End to end over running processes: a payment and an SMS login code become messages, the dev
sinks print them (as `make run` shows a newcomer), the cabinet lists them, and the code is in no
service's log line and no table."""

from __future__ import annotations

import asyncio
import re

import httpx

from tests.e2e.conftest import Stack, poll
from tests.notifications.test_secrets import all_rows_as_text


def test_a_payment_and_a_login_code_reach_the_subscriber_and_the_cabinet_lists_them(stack: Stack) -> None:
    stack.load_demo_data()
    gateway = stack.urls["gateway"]
    internal = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"]}
    payment = {"account_id": "1015", "amount": "150.00", "method": "cash", "external_id": "cash-e2e-msg",
               "paid_at": "2026-11-20T10:00:00+03:00"}
    assert httpx.post(f"{stack.urls['payments']}/internal/v1/payments", json=payment, headers=internal).is_success

    # The demo subscriber asks for an SMS login code; the SMS sink is their phone.
    asked = httpx.post(f"{gateway}/api/v1/auth/code", json={"phone": "79110001015"})
    assert asked.status_code == 202, asked.text
    printed = poll(lambda: stack.log_text("sms-sink"), lambda text: "79110001015" in text)
    code = re.search(r"to 79110001015: .*?(\d{6})", printed)
    assert code is not None, printed
    token = httpx.post(f"{gateway}/api/v1/auth/code/login", json={"phone": "79110001015", "code": code[1]})
    assert token.status_code == 200, token.text
    me = {"authorization": f"Bearer {token.json()['access_token']}"}

    mail = poll(lambda: stack.log_text("smtp-sink"), lambda text: "поступил платёж 150,00 руб" in text)
    assert "to ivanov@example.com" in mail

    def listed() -> httpx.Response:
        return httpx.get(f"{gateway}/api/v1/accounts/1015/messages", headers=me)

    page = poll(listed, lambda r: r.status_code == 200 and {("sms", "login_code", "sent"),
                                                            ("email", "payment_received", "sent")}
                <= {(i["channel"], i["template"], i["status"]) for i in r.json()["items"]}).json()
    login_message = next(i for i in page["items"] if i["template"] == "login_code")
    assert login_message["text"] == "Код для входа в личный кабинет: ******. Никому его не сообщайте."
    assert login_message["address_masked"] == "79110****15"
    foreign = httpx.get(f"{gateway}/api/v1/accounts/2002/messages", headers=me)
    assert foreign.status_code == 404 and foreign.json()["code"] == "account.not_found"

    # Preferences: saved through the accounts service, applied by the notifications service.
    preferences = f"{gateway}/api/v1/profile/notification-preferences"
    changed = httpx.put(preferences, json={"preferences": {"payment_received": ["email"]}}, headers=me)
    assert changed.status_code == 200, changed.text
    shown = poll(lambda: httpx.get(preferences, headers=me), lambda r: r.status_code == 200 and any(
        t["topic"] == "payment_received" and t["channels"] == ["email"] for t in r.json()["topics"]))
    assert {t["topic"]: t["channels"] for t in shown.json()["topics"]}["period_end_reminder"] == ["sms"]

    # The code went to the phone, and nowhere else: no service's log, no table of any service.
    # (Six digits on their own: not the tail of a timestamp's microseconds or of a longer number.)
    alone = re.compile(rf"(?<![\d.]){code[1]}(?!\d)")
    assert '"message.sent"' in stack.log_text("notifications")  # the logs are there, at DEBUG, and read
    for service in ("accounts", "notifications", "gateway", "payments"):
        assert not alone.search(stack.log_text(service)), service
    assert not alone.search(asyncio.run(all_rows_as_text(stack.env["DATABASE_URL"])))
