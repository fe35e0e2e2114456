"""The client's `Idempotency-Key` reaches the service that owns the command as sent (the caller goes
as `x-actor`; the owner scopes the key by it): the one limit, 200 characters, is checked where the
key enters, at the gateway."""

from __future__ import annotations

from tests.gateway.factories import SUBSCRIBER, Cabinet

BLOCK = {"starts_on": "2026-03-20", "days": 14}


async def test_a_long_key_the_gateway_accepts_reaches_accounts_and_the_command_succeeds_once(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    headers = {**me, "idempotency-key": "k" * 195}
    first = await cabinet.client.post("/api/v1/accounts/1015/blocks", json=BLOCK, headers=headers)
    assert first.status_code == 201, first.text
    again = await cabinet.client.post("/api/v1/accounts/1015/blocks", json=BLOCK, headers=headers)
    assert again.status_code == 200 and again.json()["block_id"] == first.json()["block_id"]  # a replay
    page = (await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)).json()
    assert [b["block_id"] for b in page["scheduled"]] == [first.json()["block_id"]]


async def test_a_key_over_200_characters_is_refused_at_the_gateway(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    refused = await cabinet.client.post("/api/v1/accounts/1015/blocks", json=BLOCK,
                                        headers={**me, "idempotency-key": "k" * 201})
    assert refused.status_code == 400 and refused.json()["code"] == "request.invalid"
    page = (await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)).json()
    assert page["scheduled"] == []
