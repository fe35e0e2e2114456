"""The cabinet's account pages through the gateway: commands forwarded to the accounts service,
its errors passed through unchanged, and the next query reflecting the command (read-your-writes)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.gateway.factories import ORG_ADMIN, SUBSCRIBER, Cabinet


async def test_blocks_and_tariff_changes_show_on_the_next_query(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    too_short = await cabinet.client.post("/api/v1/accounts/1015/blocks", json={"starts_on": "2026-03-20", "days": 13},
                                          headers=me)
    assert too_short.status_code == 422
    assert too_short.json()["code"] == "block.period_out_of_range" and too_short.json()["min_days"] == 14

    block = (await cabinet.client.post("/api/v1/accounts/1015/blocks", json={"starts_on": "2026-03-20", "days": 14},
                                       headers={**me, "idempotency-key": "k1"})).json()
    page = (await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)).json()
    assert [(b["block_id"], b["state"], b["ends_on"]) for b in page["scheduled"]] == [
        (block["block_id"], "scheduled", "2026-04-02")]
    assert page["available"] == 0
    cancelled = await cabinet.client.post(f"/api/v1/accounts/1015/blocks/{block['block_id']}/cancel", headers=me)
    assert cancelled.status_code == 200 and cancelled.json()["read_model_current"] is True
    page = (await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)).json()
    assert page["scheduled"] == [] and page["history"][0]["state"] == "cancelled" and page["available"] == 1

    options = (await cabinet.client.get("/api/v1/accounts/1015/lines/inet-1015/tariffs", headers=me)).json()
    assert [t["tariff_id"] for t in options["options"]] == ["inet-100-1m"]
    changed = await cabinet.client.post("/api/v1/accounts/1015/lines/inet-1015/tariff",
                                        json={"tariff_id": "inet-100-1m", "mode": "next_period"}, headers=me)
    assert changed.status_code == 200 and changed.json()["effective_from"] == "2026-04-01"
    line = (await cabinet.client.get("/api/v1/accounts/1015/summary", headers=me)).json()["lines"][0]
    assert line["tariff"] == {"tariff_id": "inet-100-1m", "name": "Безлимитный 100 Мбит/с, 1 мес",
                              "monthly_fee": "850.00", "vat_rate": "20.00", "effective_from": "2026-04-01"}


async def test_the_profile_changes_at_once_and_the_sms_phone_needs_its_code(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    patched = await cabinet.client.patch("/api/v1/profile", headers=me, json={
        "address": "Санкт-Петербург, ул. Примерная, 1", "sms_phone": "+7 911 555-00-15", "passport": "4010 123456",
        "language": "en"})
    assert patched.status_code == 200, patched.text
    profile = (await cabinet.client.get("/api/v1/profile", headers=me)).json()
    assert profile["address"] == "Санкт-Петербург, ул. Примерная, 1" and profile["language"] == "en"
    assert (profile["sms_phone"], profile["sms_phone_confirmed"]) == ("79115550015", False)
    assert profile["passport_masked"] == "40*****456"
    bad = await cabinet.client.patch("/api/v1/profile", headers=me, json={"email": "not-an-email"})
    assert bad.status_code == 422 and bad.json()["code"] == "email.invalid"

    assert (await cabinet.client.post("/api/v1/profile/sms-phone/code", headers=me)).status_code == 202
    sent = cabinet.courier.last("phone_confirmation_code")
    assert (sent.address, sent.language) == ("79115550015", "en")
    confirmed = await cabinet.client.post("/api/v1/profile/sms-phone/confirm", json={"code": sent.secret}, headers=me)
    assert confirmed.status_code == 200, confirmed.text
    assert (await cabinet.client.get("/api/v1/profile", headers=me)).json()["sms_phone_confirmed"] is True


async def test_an_organization_admin_finds_subscribers_by_pattern_and_renames_them(cabinet: Cabinet) -> None:
    admin = await cabinet.login(*ORG_ADMIN)
    search = "/api/v1/organizations/org-a1/subscribers"

    async def numbers(**params: str) -> list[str]:
        page = (await cabinet.client.get(search, params=params, headers=admin)).json()
        return [item["identifier"] for item in page["items"]]

    assert await numbers(number="37517%") == ["375170003003", "375170003004"]
    assert await numbers(number="3752910030_3") == ["375291003003"]
    assert await numbers(account_id="3004") == ["375291003003", "375291003004"]
    assert len(await numbers()) == 4
    assert await numbers(number="%9999") == []

    renamed = await cabinet.client.post(f"{search}/rename", headers=admin, json={"items": [
        {"account_id": "3003", "line_id": "sip-375170003004", "subscriber_name": "Бухгалтерия, 2 этаж"},
        {"account_id": "3004", "line_id": "mob-375291003004", "subscriber_name": "Ковалёва О. И."}]})
    assert renamed.status_code == 200, renamed.text
    page = (await cabinet.client.get(search, params={"number": "%3004"}, headers=admin)).json()
    assert {i["subscriber_name"] for i in page["items"]} == {"Бухгалтерия, 2 этаж", "Ковалёва О. И."}

    cabinet.clock.set(datetime(2026, 3, 30, 9, 0, tzinfo=UTC))  # the last 2 days of March
    admin = await cabinet.login(*ORG_ADMIN)  # the old access token expired on the way
    refused = await cabinet.client.post(f"{search}/rename", headers=admin, json={"items": [
        {"account_id": "3003", "line_id": "sip-375170003004", "subscriber_name": "Другое имя"}]})
    assert refused.status_code == 422 and refused.json()["code"] == "rename.month_end"


async def test_the_summary_row_follows_each_command_on_the_next_query(cabinet: Cabinet) -> None:
    """The summary is one row per account (cabinet_summaries), refreshed in the transaction of each
    event: a command's answer waits for it, so the very next read shows the change, fresh."""
    me = await cabinet.login(*SUBSCRIBER)
    summary = "/api/v1/accounts/1015/summary"
    before = await cabinet.client.get(summary, headers=me)
    assert before.status_code == 200 and before.json()["blocks"]["scheduled"] == []
    block = (await cabinet.client.post("/api/v1/accounts/1015/blocks", json={"starts_on": "2026-03-20", "days": 14},
                                       headers={**me, "idempotency-key": "summary-1"})).json()
    assert block["read_model_current"] is True
    after = await cabinet.client.get(summary, headers=me)
    assert [b["block_id"] for b in after.json()["blocks"]["scheduled"]] == [block["block_id"]]
    assert after.json()["blocks"]["available"] == 0
    assert after.headers["x-read-model-lag"] == "0" and "x-read-model-age" in after.headers
    assert {k: after.json()[k] for k in ("balance", "available", "opening_balance", "promised_outstanding")} == {
        k: before.json()[k] for k in ("balance", "available", "opening_balance", "promised_outstanding")}
    await cabinet.client.post(f"/api/v1/accounts/1015/blocks/{block['block_id']}/cancel", headers=me)
    cancelled = (await cabinet.client.get(summary, headers=me)).json()["blocks"]
    assert cancelled["scheduled"] == [] and cancelled["history"][0]["state"] == "cancelled"
    assert cancelled["available"] == 1

    admin = await cabinet.login(*ORG_ADMIN)
    renamed = await cabinet.client.post("/api/v1/organizations/org-a1/subscribers/rename", headers=admin, json={
        "items": [{"account_id": "3004", "line_id": "mob-375291003004", "subscriber_name": "Ковалёва О. И."}]})
    assert renamed.status_code == 200, renamed.text
    lines = (await cabinet.client.get("/api/v1/accounts/3004/summary", headers=admin)).json()["lines"]
    assert {line["line_id"]: line["subscriber_name"] for line in lines}["mob-375291003004"] == "Ковалёва О. И."
