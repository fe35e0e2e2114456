"""Add-ons from the cabinet: a subscriber's own connect and disconnect as the tariff allows (the
fee lands on the `AddOnConnected` fact invoicing charges from), refusals that change nothing, and
the organization admin's one action over a list of subscribers, all or nothing."""

from __future__ import annotations

from tests.accounts.factories import events_of
from tests.gateway.factories import DEBTOR, ORG_ADMIN, SUBSCRIBER, Cabinet

LINE = "/api/v1/accounts/1015/lines/inet-1015/add-ons"
BULK = "/api/v1/organizations/org-a1/subscribers/add-ons"
MOBILES = [{"account_id": "3004", "line_id": "mob-375291003003"}, {"account_id": "3004", "line_id": "mob-375291003004"}]


async def test_a_subscriber_connects_and_disconnects_what_the_tariff_allows(cabinet: Cabinet) -> None:
    subscriber = await cabinet.login(*SUBSCRIBER)
    options = (await cabinet.client.get(LINE, headers=subscriber)).json()
    assert options["add_ons"] == [{"service_id": "static-ip", "name": "Статический IP-адрес", "monthly_fee": "150.00",
                                   "connected": False, "self_service": True}]

    connected = await cabinet.client.post(LINE, headers={**subscriber, "idempotency-key": "ip-1"},
                                          json={"service_id": "static-ip"})
    assert connected.status_code == 200 and connected.json()["connected"] is True, connected.text
    assert connected.json()["read_model_current"] is True
    summary = (await cabinet.client.get("/api/v1/accounts/1015/summary", headers=subscriber)).json()
    assert "static-ip" in str(summary["lines"])
    [fact] = [e for e in await events_of(cabinet.database_url, "AddOnConnected") if e["service_id"] == "static-ip"]
    assert (fact["account_id"], fact["service_id"], fact["monthly_fee"]) == ("1015", "static-ip", "150.00")

    again = await cabinet.client.post(LINE, headers=subscriber, json={"service_id": "static-ip"})
    assert again.status_code == 422 and again.json()["code"] == "add_on.already_connected"
    off = await cabinet.client.post(f"{LINE}/static-ip/disconnect", headers=subscriber)
    assert off.status_code == 200 and off.json()["connected"] is False
    changes = await events_of(cabinet.database_url, "AddOnConnected", "AddOnDisconnected")
    assert [e["type"] for e in changes if e["service_id"] == "static-ip"] == ["AddOnConnected", "AddOnDisconnected"]


async def test_refusals_change_nothing(cabinet: Cabinet) -> None:
    subscriber, debtor = await cabinet.login(*SUBSCRIBER), await cabinet.login(*DEBTOR)
    before = len(await events_of(cabinet.database_url))
    refused = [
        (subscriber, LINE, {"service_id": "voicemail-plus"}, 422, "add_on.not_for_line"),
        (subscriber, LINE, {"service_id": "no-such"}, 404, "add_on.not_found"),
        (subscriber, LINE, {"service_id": "bad id!"}, 400, "request.invalid"),
        (subscriber, "/api/v1/accounts/1015/lines/inet-2002/add-ons", {"service_id": "static-ip"}, 404,
         "line.not_found"),
        (debtor, "/api/v1/accounts/2002/lines/inet-2002/add-ons", {"service_id": "static-ip"}, 422,
         "add_on.financially_blocked"),
    ]
    for headers, path, body, status, code in refused:
        answer = await cabinet.client.post(path, headers=headers, json=body)
        assert (answer.status_code, answer.json()["code"]) == (status, code), (path, body, answer.text)
    assert len(await events_of(cabinet.database_url)) == before


async def test_an_admin_connects_an_add_on_to_a_list_of_subscribers_all_or_nothing(cabinet: Cabinet) -> None:
    admin = await cabinet.login(*ORG_ADMIN)
    before = len(await events_of(cabinet.database_url))
    # voicemail-plus is self-service on "Бизнес Безлимит" and "SIP-номер": mobile and SIP lines at once.
    three = await cabinet.client.post(BULK, headers=admin, json={"action": "connect", "service_id": "voicemail-plus",
                                                                 "items": [*MOBILES, {"account_id": "3003",
                                                                 "line_id": "sip-375170003004"}]})
    assert three.status_code == 200 and three.json()["lines"] == 3, three.text
    assert len(await events_of(cabinet.database_url)) == before + 3

    refused = await cabinet.client.post(BULK, headers=admin, json={
        "action": "connect", "service_id": "mobile-internet-750", "items": MOBILES})  # the first has it already
    assert refused.status_code == 422 and refused.json()["code"] == "add_on.bulk_refused"
    assert refused.json()["refused"] == [{"account_id": "3004", "line_id": "mob-375291003003",
                                          "error": "add_on.already_connected"}]
    assert len(await events_of(cabinet.database_url)) == before + 3  # the second line did not change either

    off = await cabinet.client.post(BULK, headers={**admin, "idempotency-key": "bulk-off"},
                                    json={"action": "disconnect", "service_id": "voicemail-plus", "items": MOBILES})
    assert off.status_code == 200 and off.json()["changed"][0]["events"] == 2 and off.json()["read_model_current"]
    repeat = await cabinet.client.post(BULK, headers={**admin, "idempotency-key": "bulk-off"},
                                       json={"action": "disconnect", "service_id": "voicemail-plus", "items": MOBILES})
    assert repeat.status_code == 200 and repeat.headers["idempotent-replayed"] == "true"
    assert len(await events_of(cabinet.database_url, "AddOnDisconnected")) == 2


async def test_a_list_with_a_foreign_line_is_not_found_and_a_subscriber_has_no_list_action(cabinet: Cabinet) -> None:
    admin, subscriber = await cabinet.login(*ORG_ADMIN), await cabinet.login(*SUBSCRIBER)
    before = len(await events_of(cabinet.database_url))
    body = {"action": "connect", "service_id": "static-ip", "items": [{"account_id": "1015", "line_id": "inet-1015"}]}
    assert (await cabinet.client.post(BULK, headers=admin, json=body)).status_code == 404
    wrong_line = {**body, "items": [{"account_id": "3004", "line_id": "inet-1015"}]}
    answer = await cabinet.client.post(BULK, headers=admin, json=wrong_line)
    assert answer.status_code == 404 and answer.json()["code"] == "line.not_found"
    denied = await cabinet.client.post(BULK, headers=subscriber, json={**body, "items": MOBILES})
    assert denied.status_code == 404 and denied.json()["code"] == "organization.not_found"
    assert len(await events_of(cabinet.database_url)) == before
