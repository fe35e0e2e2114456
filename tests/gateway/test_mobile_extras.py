"""A mobile number's extras through the gateway (seed 003): SIM codes for the organization's admin
(never for support staff, never in an event), closed user group, call forwarding and voicemail
Plus's e-mail copy handed to the network; refusals change nothing."""

from __future__ import annotations

from tests.accounts.factories import events_of
from tests.gateway.factories import OPERATOR, ORG_ADMIN, SUBSCRIBER, Cabinet

LINE = "/api/v1/accounts/3004/lines/mob-375291003003"


async def test_the_admin_sees_the_sim_codes_and_closed_user_group_support_does_not(cabinet: Cabinet) -> None:
    admin, operator = await cabinet.login(*ORG_ADMIN), await cabinet.login(*OPERATOR)
    sim = await cabinet.client.get(f"{LINE}/sim", headers=admin)
    assert sim.status_code == 200 and sim.headers["cache-control"] == "no-store", sim.text
    assert sim.json()["codes"] == {"pin1": "1234", "puk1": "12345678", "pin2": "5678", "puk2": "87654321"}
    assert sim.json()["closed_user_group"] == "Альфа-Телеком"  # deploy/demo/requests.json
    denied = await cabinet.client.get(f"{LINE}/sim", headers=operator)
    assert denied.status_code == 403 and denied.json()["code"] == "sim.owner_only"
    other = await cabinet.client.get("/api/v1/accounts/3004/lines/mob-375291003004/sim", headers=admin)
    assert other.json()["codes"] is None  # not recorded for that SIM
    assert "87654321" not in str(await events_of(cabinet.database_url))
    internet = await cabinet.client.get("/api/v1/accounts/1015/lines/inet-1015/sim",
                                        headers=await cabinet.login(*SUBSCRIBER))
    assert internet.status_code == 422 and internet.json()["code"] == "mobile.not_a_mobile_line"


async def test_forwarding_and_voicemail_copy_reach_the_network_and_refusals_change_nothing(cabinet: Cabinet) -> None:
    admin = await cabinet.login(*ORG_ADMIN)
    busy = await cabinet.client.put(f"{LINE}/call-forwarding/busy", headers=admin, json={"target": "+375 29 765-43-21"})
    assert busy.status_code == 200 and busy.json()["call_forwarding"] == {"busy": "375297654321"}, busy.text
    assert cabinet.network.settings[("mob-375291003003", "call_forwarding.busy")] == "375297654321"
    before = len(await events_of(cabinet.database_url))
    refusals = [
        ("call-forwarding/always", {"target": "+375297654321"}, 400, "request.invalid"),
        ("call-forwarding/busy", {"target": "12"}, 422, "phone.invalid"),
        ("voicemail-copy", {"email": "p@alfa.by"}, 422, "voicemail.plus_not_connected"),
    ]
    for path, body, status, code in refusals:
        answer = await cabinet.client.put(f"{LINE}/{path}", headers=admin, json=body)
        assert (answer.status_code, answer.json()["code"]) == (status, code), (path, answer.text)
    cabinet.network.reachable = False
    down = await cabinet.client.put(f"{LINE}/call-forwarding/no_answer", headers=admin, json={"target": "+375297654321"})
    assert down.status_code == 503 and down.json()["code"] == "network.unavailable"
    assert len(await events_of(cabinet.database_url)) == before
    cabinet.network.reachable = True

    plus = await cabinet.client.post(f"{LINE}/add-ons", headers=admin, json={"service_id": "voicemail-plus"})
    assert plus.status_code == 200, plus.text
    copy = await cabinet.client.put(f"{LINE}/voicemail-copy", headers=admin, json={"email": "p@alfa.by"})
    assert copy.status_code == 200 and copy.json()["voicemail_copy"] == "p@alfa.by"
    cancelled = await cabinet.client.put(f"{LINE}/call-forwarding/busy", headers=admin, json={"target": None})
    assert cancelled.json()["call_forwarding"] == {}
    page = (await cabinet.client.get(f"{LINE}/mobile-settings", headers=admin)).json()
    assert (page["voicemail_plus"], page["voicemail_copy"], page["call_forwarding"]) == (True, "p@alfa.by", {})
    assert cabinet.network.settings == {("mob-375291003003", "voicemail_copy"): "p@alfa.by"}
