"""The web cabinet's pages (/cabinet) in-process, on the same stack as the API's tests: a foreign
account's page is a 404 like the API's and changes nothing; no session sends to the login page; a
form without its CSRF token is refused; every page carries the Content-Security-Policy. The pages in
a real browser: tests/e2e/test_cabinet_in_a_browser.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.clock import FakeClock
from tests.accounts.factories import START, TOKEN, events_of
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.gateway.factories import ORG_ADMIN, SUBSCRIBER, Cabinet, with_invoicing

#: (method, path, form) of every page naming an account; {a} is the account.
ACCOUNT_PAGES: list[tuple[str, str, dict[str, str] | None]] = [
    ("GET", "/cabinet/accounts/{a}", None),
    ("GET", "/cabinet/accounts/{a}/bell", None),
    ("GET", "/cabinet/accounts/{a}/payments", None),
    ("POST", "/cabinet/accounts/{a}/top-ups", {"amount": "10", "provider": "sandbox"}),
    ("GET", "/cabinet/accounts/{a}/promised", None),
    ("POST", "/cabinet/accounts/{a}/promised", {"amount": "10"}),
    ("GET", "/cabinet/accounts/{a}/blocks", None),
    ("POST", "/cabinet/accounts/{a}/blocks", {"starts_on": "2026-03-20", "days": "14"}),
    ("POST", "/cabinet/accounts/{a}/blocks/{block_id}/{action}", {}),
    ("GET", "/cabinet/accounts/{a}/autopay", None),
    ("POST", "/cabinet/accounts/{a}/autopay", {"action": "disable"}),
    ("GET", "/cabinet/accounts/{a}/messages", None),
    ("GET", "/cabinet/accounts/{a}/guarantees", None),
    ("POST", "/cabinet/accounts/{a}/guarantees", {"amount": "10", "pay_by": "2026-04-10"}),
    ("GET", "/cabinet/accounts/{a}/charges", None),
    ("GET", "/cabinet/accounts/{a}/charges/history", None),
    ("GET", "/cabinet/accounts/{a}/invoices", None),
    ("POST", "/cabinet/accounts/{a}/invoices/{period}/documents", {"format": "pdf"}),
    ("GET", "/cabinet/accounts/{a}/invoices/{period}/documents/{document_format}", None),
    ("POST", "/cabinet/accounts/{a}/invoice-delivery", {"method": "self", "format": "pdf"}),
    ("GET", "/cabinet/accounts/{a}/installments", None),
    ("GET", "/cabinet/accounts/{a}/reports", None),
    ("POST", "/cabinet/accounts/{a}/reports", {"date_from": "2026-03-01", "date_to": "2026-03-02", "format": "pdf"}),
    ("GET", "/cabinet/accounts/{a}/reports/{report_id}/document", None),
    ("GET", "/cabinet/accounts/{a}/telephony", None),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/calls", None),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/channels", None),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/channels/review", {"channels": "30"}),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/channels", {"channels": "30"}),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/sip", None),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/sip", {"password": "new-sip-pass-1"}),
    ("GET", "/cabinet/accounts/{a}/support", None),
    ("POST", "/cabinet/accounts/{a}/support", {"topic": "other", "title": "t", "text": "x"}),
    ("GET", "/cabinet/accounts/{a}/support/{request_id}", None),
    ("POST", "/cabinet/accounts/{a}/support/{request_id}", {"text": "x"}),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/add-ons", None),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/add-ons", {"service_id": "static-ip", "action": "connect"}),
    ("GET", "/cabinet/accounts/{a}/requisites", None),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/tariff", None),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/tariff", {"tariff_id": "inet-100-1m", "mode": "now"}),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/password", None),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/password", {"password": "Kv8#trLm2q", "password_confirmation":
                                                                "Kv8#trLm2q"}),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/tv", None),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/tv", {"service_id": "24tv-base", "action": "connect"}),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/mobile", None),
    ("POST", "/cabinet/accounts/{a}/lines/{line_id}/mobile/{what}", {"condition": "busy", "target": "+375291234567"}),
    ("GET", "/cabinet/accounts/{a}/lines/{line_id}/sim", None),
    ("GET", "/cabinet/accounts/{a}/call-detail-orders", None),
    ("POST", "/cabinet/accounts/{a}/call-detail-orders", {"numbers": "375170003003", "date_from": "2026-03-01",
                                                          "date_to": "2026-03-01"}),
    ("GET", "/cabinet/accounts/{a}/invoice-mailings", None),
    ("POST", "/cabinet/accounts/{a}/invoice-mailings/{kind}", {"period": "2026-02"}),
]


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: "{a}" if m.group(1) == "account_id" else f"{{{m.group(1)}}}", path)


def test_every_page_naming_an_account_is_listed() -> None:
    app = create_app(GatewaySettings(billing_env="test", database_url="postgresql://127.0.0.1:9/none",
                                     kafka_bootstrap_servers="127.0.0.1:9", gateway_token_secret="t" * 32))
    served = {(method, _template(route.path)) for route in app.routes
              if route.path.startswith("/cabinet/") and "{account_id" in route.path
              for method in route.methods if method not in ("OPTIONS", "HEAD")}
    assert served - {(m, p) for m, p, _ in ACCOUNT_PAGES} == set(), "add these pages to ACCOUNT_PAGES"


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/cabinet/login")
    assert page.status_code == 200
    token = client.cookies.get("csrftoken")
    assert token and f'value="{token}"' in page.text
    return token


async def _log_in(client: httpx.AsyncClient, login: str, password: str) -> str:
    token = await _csrf(client)
    answer = await client.post("/cabinet/login", data={"login": login, "password": password, "_csrf_token": token,
                                                       "next": "/cabinet/accounts"})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/cabinet/accounts"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("cabinet_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/cabinet" in cookie
    return token


async def test_a_foreign_account_page_is_a_404_and_changes_nothing(cabinet: Cabinet) -> None:
    client = cabinet.client
    for (login, password), foreign in ((SUBSCRIBER, ["2002", "3003"]), (ORG_ADMIN, ["1015", "2002"])):
        client.cookies.clear()
        token = await _log_in(client, login, password)
        before = len(await events_of(cabinet.database_url))
        for account in foreign:
            for method, path, form in ACCOUNT_PAGES:
                url = path.format(a=account, block_id="b-1", action="cancel", period="2026-02",
                                  document_format="pdf", line_id=f"sip-37517000{account}",
                                  request_id="sr-1", what="forwarding", kind="resend",
                                  report_id="00000000-0000-0000-0000-000000000001")
                answer = await client.request(method, url, data=None if form is None else {**form,
                                                                                         "_csrf_token": token})
                assert answer.status_code == 404, (login, method, url, answer.status_code, answer.text[:200])
                assert "content-security-policy" in answer.headers
        assert len(await events_of(cabinet.database_url)) == before, login
        own = await client.get("/cabinet/accounts/1015" if login == SUBSCRIBER[0] else "/cabinet/accounts/3004")
        assert own.status_code == 200, own.text  # the positive control


async def test_no_session_sends_to_the_login_page_and_a_form_without_its_token_is_refused(cabinet: Cabinet) -> None:
    client = cabinet.client
    away = await client.get("/cabinet/accounts/1015/blocks")
    assert away.status_code == 303
    assert away.headers["location"] == "/cabinet/login?next=%2Fcabinet%2Faccounts%2F1015%2Fblocks"

    token = await _log_in(client, *SUBSCRIBER)
    before = len(await events_of(cabinet.database_url))
    forged = await client.post("/cabinet/accounts/1015/blocks", data={"starts_on": "2026-03-20", "days": "14"})
    assert forged.status_code == 403
    wrong = await client.post("/cabinet/accounts/1015/blocks", data={"starts_on": "2026-03-20", "days": "14",
                                                                     "_csrf_token": token[:-4] + "0000"})
    assert wrong.status_code == 403
    assert len(await events_of(cabinet.database_url)) == before

    page = await client.get("/cabinet/accounts/1015")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in page.text and " on" + "click=" not in page.text  # no inline script
    assert 'lang="ru"' in page.text and "Europe/Minsk (UTC+03:00)" in page.text


async def test_a_refused_field_is_shown_beside_it_and_a_repeated_form_is_one_command(cabinet: Cabinet) -> None:
    client = cabinet.client
    token = await _log_in(client, *SUBSCRIBER)
    refused = await client.post("/cabinet/accounts/1015/blocks",
                                data={"starts_on": "2026-03-20", "days": "3", "_csrf_token": token, "key": "k-12345678"})
    assert refused.status_code == 422
    assert re.search(r'id="e-days" role="alert">.*a block lasts from 14 to 180 days, not 3', refused.text, re.S)
    before = len(await events_of(cabinet.database_url))
    form = {"starts_on": "2026-03-20", "days": "14", "_csrf_token": token, "key": "k-87654321"}
    for _ in range(2):
        scheduled = await client.post("/cabinet/accounts/1015/blocks", data=form)
        assert scheduled.status_code == 303, scheduled.text
    assert len(await events_of(cabinet.database_url)) == before + 1
    listed = await client.get("/cabinet/accounts/1015/blocks")
    assert "20.03.2026 — 02.04.2026" in listed.text


async def test_recovery_a_temporary_password_lets_in_only_to_change_it_and_an_sms_code_logs_in(
        cabinet: Cabinet) -> None:
    client = cabinet.client
    token = await _csrf(client)
    sent = await client.post("/cabinet/login/recovery", data={"recovery_login": "2002", "_csrf_token": token})
    assert sent.status_code == 200 and "временный пароль отправлен" in sent.text
    temporary = cabinet.courier.last("temporary_password").secret

    entered = await client.post("/cabinet/login", data={"login": "2002", "password": temporary,
                                                        "_csrf_token": token, "next": "/cabinet/accounts"})
    assert entered.status_code == 303 and entered.headers["location"] == "/cabinet/password"
    held = await client.get("/cabinet/accounts/2002")  # nothing else until the password is changed
    assert held.status_code == 303 and held.headers["location"] == "/cabinet/password"
    wrong = await client.post("/cabinet/password", data={"current_password": "not-it", "new_password": "x",
                                                          "_csrf_token": token})
    assert wrong.status_code == 422 and 'id="e-current_password"' in wrong.text
    changed = await client.post("/cabinet/password", data={
        "current_password": temporary, "new_password": "my-own-pass-2002", "contact_phone": "+7 (911) 000-20-02",
        "_csrf_token": token})
    assert changed.status_code == 303 and changed.headers["location"] == "/cabinet/accounts"
    assert (await client.get("/cabinet/accounts/2002")).status_code == 200

    client.cookies.clear()
    token = await _csrf(client)
    asked = await client.post("/cabinet/login/code", data={"phone": "79110001015", "_csrf_token": token})
    assert asked.status_code == 200 and 'name="code"' in asked.text
    code = cabinet.courier.last("login_code").secret
    wrong_code = await client.post("/cabinet/login/code/verify", data={
        "phone": "79110001015", "code": "000000" if code != "000000" else "111111", "_csrf_token": token})
    assert wrong_code.status_code == 422 and 'id="e-code"' in wrong_code.text
    logged = await client.post("/cabinet/login/code/verify", data={"phone": "79110001015", "code": code,
                                                                   "_csrf_token": token, "next": "/cabinet/accounts"})
    assert logged.status_code == 303, logged.text
    assert (await client.get("/cabinet/accounts/1015")).status_code == 200


async def test_the_profile_page_changes_the_sms_phone_and_confirms_it_with_its_code(cabinet: Cabinet) -> None:
    client = cabinet.client
    token = await _log_in(client, *SUBSCRIBER)
    changed = await client.post("/cabinet/profile", data={"full_name": "Иванов Иван", "sms_phone": "+7 911 555-00-15",
                                                          "email": "ivanov@example.org", "_csrf_token": token,
                                                          "key": "profile-0001"})
    assert changed.status_code == 303, changed.text
    page = await client.get("/cabinet/profile?done=1")
    assert 'value="79115550015"' in page.text and "не подтверждён" in page.text
    asked = await client.post("/cabinet/profile/sms-phone/code", data={"_csrf_token": token})
    assert asked.status_code == 200 and 'id="f-code"' in asked.text
    code = cabinet.courier.last("phone_confirmation_code").secret
    confirmed = await client.post("/cabinet/profile/sms-phone/confirm", data={"code": code, "_csrf_token": token})
    assert confirmed.status_code == 303, confirmed.text
    assert "(подтверждён)" in (await client.get("/cabinet/profile")).text


async def test_a_support_request_is_filed_listed_and_added_to_from_its_pages(cabinet: Cabinet) -> None:
    client = cabinet.client
    token = await _log_in(client, *SUBSCRIBER)
    empty = await client.post("/cabinet/accounts/1015/support", data={"topic": "internet", "title": "",
                                                                      "text": "x", "_csrf_token": token})
    assert empty.status_code == 422 and 'id="e-title"' in empty.text
    filed = await client.post("/cabinet/accounts/1015/support", data={
        "topic": "internet", "title": "Медленный интернет", "text": "Вечером 2 Мбит/с", "_csrf_token": token,
        "key": "support-0001"})
    assert filed.status_code == 303, filed.text
    thread_url = filed.headers["location"]
    assert thread_url.startswith("/cabinet/accounts/1015/support/")
    added = await client.post(thread_url, data={"text": "И утром тоже", "_csrf_token": token, "key": "support-0002"})
    assert added.status_code == 303 and added.headers["location"] == thread_url
    thread = await client.get(thread_url)
    assert thread.status_code == 200
    assert re.search(r"Вечером 2 Мбит/с.*И утром тоже", thread.text, re.S)
    listed = await client.get("/cabinet/accounts/1015/support")
    assert "Медленный интернет" in listed.text and thread_url in listed.text


async def test_an_add_on_is_connected_and_disconnected_and_the_requisites_are_shown(cabinet: Cabinet) -> None:
    client = cabinet.client
    token = await _log_in(client, *SUBSCRIBER)
    page = await client.get("/cabinet/accounts/1015/lines/inet-1015/add-ons")
    assert page.status_code == 200 and "static-ip" in page.text
    for action, shown in (("connect", "Услуга подключена."), ("disconnect", "Услуга отключена.")):
        switched = await client.post("/cabinet/accounts/1015/lines/inet-1015/add-ons", data={
            "service_id": "static-ip", "action": action, "_csrf_token": token, "key": f"add-on-{action}"})
        assert switched.status_code == 303, switched.text
        after = await client.get(switched.headers["location"])
        assert shown in after.text
        assert ('name="action" value="disconnect"' in after.text) == (action == "connect")
    requisites = await client.get("/cabinet/accounts/1015/requisites")
    assert requisites.status_code == 200 and 'id="requisites"' in requisites.text


async def test_the_charges_and_invoices_pages_order_and_download_a_document_and_change_the_delivery(
        database_url: str, kafka: KafkaSpace) -> None:
    """With the invoicing service in-process (charging the demo from accounts' events on Kafka)."""
    clock = FakeClock(START)
    async with with_invoicing(database_url, kafka, clock) as (invoicing, gateway):
        token = await _log_in(gateway, *SUBSCRIBER)

        async def charged() -> bool:
            page = await gateway.get("/cabinet/accounts/1015/charges")
            return page.status_code == 200 and 'id="no-charges"' not in page.text

        await eventually(charged)
        page = await gateway.get("/cabinet/accounts/1015/charges?period=2026-02")
        assert page.status_code == 200 and 'id="no-charges"' in page.text  # the demo began in March
        page = await gateway.get("/cabinet/accounts/1015/charges")
        assert "Ставка НДС" in page.text and 'option value="2026-01"' in page.text
        out_of_range = await gateway.get("/cabinet/accounts/1015/charges?period=2025-12")
        assert out_of_range.status_code == 422 and 'id="e-period"' in out_of_range.text
        history = await gateway.get("/cabinet/accounts/1015/charges/history")
        assert history.status_code == 200 and '<table id="charges-history">' in history.text
        too_old = await gateway.get("/cabinet/accounts/1015/charges/history?from=2024-01-01")
        assert too_old.status_code == 422

        clock.set(datetime.combine(datetime(2026, 4, 4).date(), time(9), ZoneInfo("Europe/Minsk")).astimezone(UTC))
        started = await invoicing.post("/internal/v1/bill-runs", json={"period": "2026-03"}, headers=TOKEN)
        assert started.status_code == 202
        gateway.cookies.clear()
        token = await _log_in(gateway, *SUBSCRIBER)  # a month later: a new session

        async def invoiced() -> bool:
            return 'id="i-2026-03"' in (await gateway.get("/cabinet/accounts/1015/invoices")).text

        await eventually(invoiced)
        ordered = await gateway.post("/cabinet/accounts/1015/invoices/2026-03/documents",
                                     data={"format": "xlsx", "_csrf_token": token})
        assert ordered.status_code == 303, ordered.text
        link = "/cabinet/accounts/1015/invoices/2026-03/documents/xlsx"

        async def ready() -> bool:
            return f'href="{link}"' in (await gateway.get("/cabinet/accounts/1015/invoices")).text

        await eventually(ready)
        document = await gateway.get(link)
        assert document.status_code == 200 and document.content.startswith(b"PK")
        assert document.headers["content-disposition"].endswith('.xlsx"')

        too_long = ";".join(["abcdefghij@example.by"] * 9) + ";x@y.by"  # 204 characters
        refused = await gateway.post("/cabinet/accounts/1015/invoice-delivery", data={
            "method": "email", "format": "pdf", "addresses": too_long, "_csrf_token": token})
        assert refused.status_code == 422 and 'id="e-addresses"' in refused.text
        assert "Получает сам." in refused.text
        changed = await gateway.post("/cabinet/accounts/1015/invoice-delivery", data={
            "method": "email", "format": "pdf", "addresses": "me@x.by;wife@x.by", "_csrf_token": token})
        assert changed.status_code == 303, changed.text
        shown = await gateway.get(changed.headers["location"])
        assert "Счета приходят по e-mail (PDF) на адреса: me@x.by;wife@x.by." in shown.text

        # The March invoice again, to the current addresses; a preliminary one for a foreign number refused.
        resent = await gateway.post("/cabinet/accounts/1015/invoice-mailings/resend",
                                    data={"period": "2026-03", "_csrf_token": token})
        assert resent.status_code == 303, resent.text
        assert "Счёт отправлен повторно." in (await gateway.get(resent.headers["location"])).text
        foreign = await gateway.post("/cabinet/accounts/1015/invoice-mailings/preliminary",
                                     data={"numbers": "375290000000", "_csrf_token": token})
        assert foreign.status_code == 422 and 'id="e-numbers"' in foreign.text, foreign.text[:300]
        no_invoice = await gateway.post("/cabinet/accounts/1015/invoice-mailings/resend",
                                        data={"period": "2026-02", "_csrf_token": token})
        assert no_invoice.status_code == 422 and "Счёта за этот месяц нет." in no_invoice.text
        # This month's charges per subscriber by e-mail; a foreign number refused beside its own field.
        charges = await gateway.post("/cabinet/accounts/1015/invoice-mailings/charges",
                                     data={"charges_format": "xlsx", "_csrf_token": token})
        assert charges.status_code == 303, charges.text
        assert "Начисления заказаны: они придут на e-mail." in (await gateway.get(charges.headers["location"])).text
        foreign_charges = await gateway.post("/cabinet/accounts/1015/invoice-mailings/charges",
                                             data={"charges_numbers": "375290000000", "_csrf_token": token})
        assert foreign_charges.status_code == 422 and 'id="e-charges_numbers"' in foreign_charges.text

        # the split Excel, installments and reports (issue 11 items 2, 6, 8)
        split = await gateway.post("/cabinet/accounts/1015/invoices/2026-03/documents",
                                   data={"format": "xlsx_split", "_csrf_token": token})
        assert split.status_code == 303, split.text
        split_link = "/cabinet/accounts/1015/invoices/2026-03/documents/xlsx_split"

        async def split_ready() -> bool:
            return f'href="{split_link}"' in (await gateway.get("/cabinet/accounts/1015/invoices")).text

        await eventually(split_ready)
        assert (await gateway.get(split_link)).headers["content-disposition"].endswith('-split.xlsx"')
        registered = await invoicing.post(
            "/internal/v1/accounts/1015/installments", headers={**TOKEN, "x-actor": "operator:o1"},
            json={"line_id": "inet-1015", "description": "Роутер", "total": "360.00", "payments": 12,
                  "first_month": "2026-04"})
        assert registered.status_code == 201, registered.text
        installments = await gateway.get("/cabinet/accounts/1015/installments")
        assert installments.status_code == 200 and '<table id="installments">' in installments.text
        assert "Роутер" in installments.text and "11 / 12" in installments.text and "30,00" in installments.text
        per_line = await gateway.get("/cabinet/accounts/1015/installments?line_id=tv-1015")
        assert 'id="installments">' in per_line.text and "Роутер" not in per_line.text
        wrong = await gateway.post("/cabinet/accounts/1015/reports", data={
            "date_from": "2026-04-04", "date_to": "2026-04-01", "format": "xlsx", "_csrf_token": token})
        assert wrong.status_code == 422 and 'id="e-date_from"' in wrong.text
        ordered_report = await gateway.post("/cabinet/accounts/1015/reports", data={
            "date_from": "2026-03-01", "date_to": "2026-04-04", "format": "xlsx", "_csrf_token": token})
        assert ordered_report.status_code == 303, ordered_report.text

        async def report_ready() -> bool:
            page = (await gateway.get("/cabinet/accounts/1015/reports")).text
            found = re.search(r'href="(/cabinet/accounts/1015/reports/[0-9a-f-]{36}/document)"', page)
            holder["report"] = found.group(1) if found else None
            return found is not None

        holder: dict[str, Any] = {}
        await eventually(report_ready)
        report = await gateway.get(holder["report"])
        assert report.status_code == 200 and report.content.startswith(b"PK")
        assert report.headers["content-disposition"].endswith('"report-1015-20260301-20260404.xlsx"')
