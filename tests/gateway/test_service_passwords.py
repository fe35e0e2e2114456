"""Service passwords (internet PPPoE login, TV account) from the cabinet: strength rules, entered
twice, handed to the network through its port; the password is in no event, no answer and no log
line; a network that does not take it changes nothing."""

from __future__ import annotations

import pytest

from services.accounts.adapters.network import NetworkUnavailable, NoNetwork
from tests.accounts.factories import events_of
from tests.gateway.factories import SUBSCRIBER, Cabinet

PASSWORD = "Kv8#trLm2q-secret"
INET = "/api/v1/accounts/1015/lines/inet-1015/password"


def _body(password: str, confirmation: str | None = None) -> dict[str, str]:
    return {"password": password, "password_confirmation": confirmation or password}


async def test_the_internet_and_tv_passwords_reach_the_network_and_no_event_or_log(
    cabinet: Cabinet, capfd: pytest.CaptureFixture[str],
) -> None:
    subscriber = await cabinet.login(*SUBSCRIBER)
    changed = await cabinet.client.post(INET, headers=subscriber, json=_body(PASSWORD))
    assert changed.status_code == 200, changed.text
    assert changed.json()["kind"] == "internet" and PASSWORD not in changed.text
    tv = await cabinet.client.post("/api/v1/accounts/1015/lines/tv-1015/password", headers=subscriber,
                                   json=_body("Tv-Pass-2026x"))
    assert tv.status_code == 200 and tv.json()["kind"] == "tv", tv.text
    assert cabinet.network.accepts("inet-1015", PASSWORD) and cabinet.network.accepts("tv-1015", "Tv-Pass-2026x")

    facts = await events_of(cabinet.database_url, "ServicePasswordChanged")
    assert [(f["line_id"], f["kind"]) for f in facts] == [("inet-1015", "internet"), ("tv-1015", "tv")]
    everything = str(await events_of(cabinet.database_url))
    assert PASSWORD not in everything and "Tv-Pass-2026x" not in everything
    out, err = capfd.readouterr()
    assert "network.service_password_set" in out + err  # the handover is logged ...
    assert PASSWORD not in out + err and "Tv-Pass-2026x" not in out + err  # ... without the secret


async def test_refused_passwords_and_an_unreachable_network_change_nothing(
    cabinet: Cabinet, capfd: pytest.CaptureFixture[str],
) -> None:
    subscriber = await cabinet.login(*SUBSCRIBER)
    before = len(await events_of(cabinet.database_url))
    refusals = [
        (_body("weakpass"), 422, "service_password.too_weak"),
        (_body("0_1_15-Abc123"), 422, "service_password.too_weak"),  # contains the login
        (_body(PASSWORD, PASSWORD + "x"), 422, "service_password.mismatch"),
        ({"password": PASSWORD}, 400, "request.invalid"),
    ]
    for body, status, code in refusals:
        answer = await cabinet.client.post(INET, headers=subscriber, json=body)
        assert (answer.status_code, answer.json()["code"]) == (status, code), (body, answer.text)
        assert body["password"] not in answer.text
    mobile = await cabinet.client.post("/api/v1/accounts/1015/lines/mob-375291003003/password", headers=subscriber,
                                       json=_body(PASSWORD))
    assert mobile.status_code == 404 and mobile.json()["code"] == "line.not_found"

    cabinet.network.reachable = False
    down = await cabinet.client.post(INET, headers=subscriber, json=_body(PASSWORD))
    assert down.status_code == 503 and down.json()["code"] == "network.unavailable", down.text
    assert not cabinet.network.accepts("inet-1015", PASSWORD)
    assert len(await events_of(cabinet.database_url)) == before
    out, err = capfd.readouterr()
    assert PASSWORD not in out + err


async def test_production_without_a_network_api_refuses_rather_than_pretends() -> None:
    with pytest.raises(Exception) as refused:
        await NoNetwork().set_service_password("1015", "inet-1015", "internet", "0_1_15", PASSWORD)
    assert getattr(refused.value, "code", None) == "network.not_configured"
    assert getattr(refused.value, "status", None) == 503 and not isinstance(refused.value, NetworkUnavailable)
