"""Support restores a subscriber's access (EXTRAS #1): the operator gives the contract number and
full name; a temporary password goes to the subscriber (never to the operator, never into an
event), works for logging in and must be changed first."""

from __future__ import annotations

from tests.accounts.factories import events_of
from tests.gateway.factories import OPERATOR, SUBSCRIBER, Cabinet

RESET = "/api/v1/support/credential-resets"


async def test_an_operator_resets_a_subscribers_access_by_contract_and_full_name(cabinet: Cabinet) -> None:
    operator = await cabinet.login(*OPERATOR)
    answer = await cabinet.client.post(RESET, headers=operator,
                                       json={"contract_number": "1015", "full_name": "  иванов иван НИКОЛАЕВИЧ "})
    assert answer.status_code == 201, answer.text
    assert answer.json()["channel"] == "email" and answer.json()["address_masked"] == "i***v@example.com"
    sent = cabinet.courier.last("temporary_password")
    assert (sent.user_id, sent.channel, sent.address) == ("u1015", "email", "ivanov@example.com")
    assert sent.secret not in answer.text and sent.secret not in str(await events_of(cabinet.database_url))
    [fact] = await events_of(cabinet.database_url, "CredentialsResetByOperator")
    assert (fact["user_id"], fact["operator_id"], fact["channel"]) == ("u1015", "op-1", "email")

    login = await cabinet.client.post("/api/v1/auth/login", json={"login": "1015", "password": sent.secret})
    assert login.status_code == 200 and login.json()["user"]["must_change_password"] is True, login.text


async def test_a_wrong_name_an_unknown_contract_and_a_non_operator_change_nothing(cabinet: Cabinet) -> None:
    operator, subscriber = await cabinet.login(*OPERATOR), await cabinet.login(*SUBSCRIBER)
    before = len(await events_of(cabinet.database_url))
    for body in ({"contract_number": "1015", "full_name": "Петров Пётр Петрович"},
                 {"contract_number": "9999", "full_name": "Иванов Иван Николаевич"},
                 {"contract_number": "79110001015", "full_name": "Иванов Иван Николаевич"}):  # a phone is not a contract
        answer = await cabinet.client.post(RESET, headers=operator, json=body)
        assert answer.status_code == 422 and answer.json()["code"] == "credentials.identity_mismatch", body
    denied = await cabinet.client.post(RESET, headers=subscriber,
                                       json={"contract_number": "1015", "full_name": "Иванов Иван Николаевич"})
    assert denied.status_code == 403 and denied.json()["code"] == "credentials.operator_only"
    assert (await cabinet.client.post(RESET, json={"contract_number": "1015", "full_name": "x"})).status_code == 401
    assert len(await events_of(cabinet.database_url)) == before
    assert [d for d in cabinet.courier.sent if d.kind == "temporary_password"] == []
