"""The cabinet's line pages and the organization admin's list action, in-process (the accounts
service behind the gateway, as in test_cabinet_pages.py): a tariff change, a service password entered
twice and never drawn back, the TV partners' packages, the knowledge base, the SIM's codes (owner
only, not cached), call forwarding, and one add-on action over ticked subscribers, all or nothing
with every refused line named. The pages over the whole stack: tests/e2e/test_cabinet_more_pages.py."""

from __future__ import annotations

import re

from tests.accounts.factories import events_of
from tests.gateway.factories import OPERATOR, ORG_ADMIN, SUBSCRIBER, Cabinet
from tests.gateway.test_cabinet_pages import _log_in

LINE = "/cabinet/accounts/1015/lines"
SECRET = "Kv8#trLm2q-secret"
MOBILES = ["3004;mob-375291003003", "3004;mob-375291003004"]


async def test_a_subscriber_changes_the_tariff_the_service_password_and_a_tv_package(cabinet: Cabinet) -> None:
    client = cabinet.client
    token = await _log_in(client, *SUBSCRIBER)

    page = await client.get(f"{LINE}/inet-1015/tariff")
    assert page.status_code == 200 and 'value="inet-100-1m"' in page.text and "Безлимитный 50 Мбит/с" in page.text
    unknown = await client.post(f"{LINE}/inet-1015/tariff", data={"tariff_id": "no-such", "mode": "now",
                                                                  "_csrf_token": token})
    assert unknown.status_code == 422 and 'id="e-tariff_id"' in unknown.text
    form = {"tariff_id": "inet-100-1m", "mode": "now", "_csrf_token": token, "key": "tariff-0001"}
    before = len(await events_of(cabinet.database_url))
    for _ in range(2):  # sent twice: one change
        changed = await client.post(f"{LINE}/inet-1015/tariff", data=form)
        assert changed.status_code == 303, changed.text
    assert len(await events_of(cabinet.database_url)) == before + 1
    shown = await client.get(changed.headers["location"])
    assert "Тариф изменён с" in shown.text and "Безлимитный 100 Мбит/с" in shown.text
    assert 'id="not-changeable"' in (await client.get("/cabinet/accounts/1015/lines/tv-1015/tariff")).text

    for data, field in (({"password": SECRET, "password_confirmation": SECRET + "x"}, "password_confirmation"),
                        ({"password": "weakpass", "password_confirmation": "weakpass"}, "password")):
        refused = await client.post(f"{LINE}/inet-1015/password", data={**data, "_csrf_token": token})
        assert refused.status_code == 422 and f'id="e-{field}"' in refused.text, refused.text[:300]
        assert data["password"] not in refused.text  # never drawn back
    set_ = await client.post(f"{LINE}/inet-1015/password", data={"password": SECRET, "password_confirmation": SECRET,
                                                                 "_csrf_token": token})
    assert set_.status_code == 303 and cabinet.network.accepts("inet-1015", SECRET)
    assert "Пароль услуги изменён." in (await client.get(set_.headers["location"])).text

    tv = await client.get(f"{LINE}/tv-1015/tv")
    assert tv.status_code == 200 and "1015-tv_1015" in tv.text and "24tv-base" in tv.text
    cabinet.tv_partners.modes["24tv"] = "refuse"
    before = len(await events_of(cabinet.database_url))
    refused = await client.post(f"{LINE}/tv-1015/tv", data={"service_id": "24tv-base", "action": "connect",
                                                            "_csrf_token": token})
    assert refused.status_code == 422 and re.search(r'id="e-packages" role="alert">.*Партнёр отказал', refused.text,
                                                    re.S)
    assert len(await events_of(cabinet.database_url)) == before
    cabinet.tv_partners.modes.clear()
    connected = await client.post(f"{LINE}/tv-1015/tv", data={"service_id": "24tv-base", "action": "connect",
                                                              "_csrf_token": token})
    assert connected.status_code == 303, connected.text
    after = await client.get(connected.headers["location"])
    assert "Пакет подключён." in after.text and ("24tv", "1015-tv_1015", "base") in cabinet.tv_partners.active

    kb = await client.get("/cabinet/knowledge-base")
    assert kb.status_code == 200 and "Добровольная блокировка" in kb.text and 'id="kb-promised-payment"' in kb.text


async def test_the_org_admin_acts_on_ticked_subscribers_all_or_nothing_and_sees_sim_codes(cabinet: Cabinet) -> None:
    client = cabinet.client
    token = await _log_in(client, *ORG_ADMIN)
    page = await client.get("/cabinet/business/subscribers?number=37529%25")
    assert page.status_code == 200 and 'value="3004;mob-375291003003"' in page.text
    assert 'value="voicemail-plus"' in page.text

    before = len(await events_of(cabinet.database_url))
    nobody = await client.post("/cabinet/business/subscribers/add-ons", data={
        "action": "connect", "service_id": "voicemail-plus", "_csrf_token": token})
    assert nobody.status_code == 422 and 'id="e-lines"' in nobody.text
    form = {"action": "connect", "service_id": "voicemail-plus", "line-1": MOBILES[0], "line-2": MOBILES[1],
            "number": "37529%",
            "_csrf_token": token, "key": "bulk-0001"}
    done = await client.post("/cabinet/business/subscribers/add-ons", data=form)
    assert done.status_code == 303, done.text
    assert "Услуга подключена абонентам: 2." in (await client.get(done.headers["location"])).text
    assert len(await events_of(cabinet.database_url)) == before + 2
    again = await client.post("/cabinet/business/subscribers/add-ons", data={**form, "key": "bulk-0002"})
    assert again.status_code == 422
    assert re.search(r'id="e-lines" role="alert">.*Ничего не изменено.*mob-375291003003: уже подключена.*'
                     r'mob-375291003004: уже подключена', again.text, re.S), again.text
    assert 'name="line-1" value="3004;mob-375291003003"' in again.text
    assert again.text.count('" checked> Выбрать') == 2  # the ticks kept for a second try
    assert len(await events_of(cabinet.database_url)) == before + 2

    sim = await client.get("/cabinet/accounts/3004/lines/mob-375291003003/sim")
    assert sim.status_code == 200 and sim.headers["cache-control"] == "no-store" and 'id="sim"' in sim.text
    forwarded = await client.post("/cabinet/accounts/3004/lines/mob-375291003003/mobile/forwarding", data={
        "condition": "busy", "target": "+375291234567", "_csrf_token": token})
    assert forwarded.status_code == 303, forwarded.text
    admin = await cabinet.login(*ORG_ADMIN)
    settings = (await client.get("/api/v1/accounts/3004/lines/mob-375291003003/mobile-settings", headers=admin)).json()
    assert settings["call_forwarding"].get("busy"), settings
    wrong = await client.post("/cabinet/accounts/3004/lines/mob-375291003003/mobile/forwarding", data={
        "condition": "sometimes", "target": "+375291234567", "_csrf_token": token})
    assert wrong.status_code != 303

    client.cookies.clear()
    await _log_in(client, *OPERATOR)
    assert (await client.get("/cabinet/accounts/3004/lines/mob-375291003003/sim")).status_code == 403
