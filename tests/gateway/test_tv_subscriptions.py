"""TV partner subscriptions (seed 002, TELEPHONY.md T-12) through the gateway: the demo subscriber's
TV line carries a Smotreshka package; another is connected and activated at the partner (charged
as an add-on with its fee) and ended; a partner that refuses or never answers changes nothing."""

from __future__ import annotations

from tests.accounts.factories import events_of
from tests.gateway.factories import SUBSCRIBER, Cabinet

TV = "/api/v1/accounts/1015/lines/tv-1015/tv-subscriptions"
DEMO = ("smotreshka", "1015-tv_1015", "start")  # deploy/demo/requests.json activates it


async def test_a_subscriber_activates_and_ends_a_partner_package_charged_as_an_add_on(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    listed = (await cabinet.client.get(TV, headers=me)).json()
    assert listed["partner_account"] == "1015-tv_1015"
    assert {(p["service_id"], p["partner"], p["monthly_fee"], p["active"]) for p in listed["packages"]} == {
        ("smotreshka-start", "smotreshka", "199.00", True), ("smotreshka-plus", "smotreshka", "349.00", False),
        ("24tv-base", "24tv", "249.00", False)}
    assert cabinet.tv_partners.active == {DEMO}

    connected = await cabinet.client.post(TV, headers={**me, "idempotency-key": "tv-1"},
                                          json={"service_id": "24tv-base"})
    assert connected.status_code == 200 and connected.json()["active"] is True, connected.text
    assert connected.json()["partner"] == "24tv" and connected.json()["read_model_current"] is True
    assert ("24tv", "1015-tv_1015", "base") in cabinet.tv_partners.active
    again = await cabinet.client.post(TV, headers={**me, "idempotency-key": "tv-1"}, json={"service_id": "24tv-base"})
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    facts = [e for e in await events_of(cabinet.database_url, "AddOnConnected", "TvSubscriptionActivated")
             if e["account_id"] == "1015" and e["service_id"] == "24tv-base"]
    assert [f["type"] for f in facts] == ["AddOnConnected", "TvSubscriptionActivated"]
    assert facts[0]["monthly_fee"] == "249.00"  # the fee invoicing charges from the add-on fact
    summary = (await cabinet.client.get("/api/v1/accounts/1015/summary", headers=me)).json()
    assert "24tv-base" in str(summary["lines"])

    ended = await cabinet.client.post(f"{TV}/24tv-base/end", headers=me)
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert cabinet.tv_partners.active == {DEMO}


async def test_a_refusing_or_silent_partner_and_a_wrong_line_change_nothing(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    before = len(await events_of(cabinet.database_url))
    cabinet.tv_partners.modes.update({"smotreshka": "refuse", "24tv": "timeout"})
    refused = await cabinet.client.post(TV, headers=me, json={"service_id": "smotreshka-plus"})
    assert refused.status_code == 422 and refused.json()["code"] == "tv.partner_refused", refused.text
    silent = await cabinet.client.post(TV, headers=me, json={"service_id": "24tv-base"})
    assert silent.status_code == 503 and silent.json()["code"] == "tv.partner_unavailable", silent.text
    not_tv = await cabinet.client.post(TV, headers=me, json={"service_id": "static-ip"})
    assert not_tv.status_code == 422 and not_tv.json()["code"] == "tv.not_a_partner_package"
    internet = await cabinet.client.post("/api/v1/accounts/1015/lines/inet-1015/tv-subscriptions", headers=me,
                                         json={"service_id": "smotreshka-plus"})
    assert internet.status_code == 422 and internet.json()["code"] == "add_on.not_for_line"
    assert len(await events_of(cabinet.database_url)) == before and cabinet.tv_partners.active == {DEMO}

    cabinet.tv_partners.modes.clear()  # the partner is back: the same request now goes through
    assert (await cabinet.client.post(TV, headers=me, json={"service_id": "24tv-base"})).status_code == 200
