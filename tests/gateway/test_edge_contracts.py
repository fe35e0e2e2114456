"""The cabinet's smaller contracts (issue 10, item 8): errors name what the client sent, one rule
for both bounds of a history range, access before the body, replays said so."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.accounts.factories import events_of
from tests.gateway.factories import ORG_ADMIN, SUBSCRIBER, Cabinet

JSON = {"content-type": "application/json"}
BLOCK = {"starts_on": "2026-03-20", "days": 14}


async def test_a_bad_history_bound_is_named_as_the_query_parameter(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    refused = await cabinet.client.get("/api/v1/accounts/1015/payments", params={"from": "March", "to": "2026-03-1"},
                                       headers=me)
    assert refused.status_code == 400 and refused.json()["code"] == "request.invalid"
    assert sorted((e["field"], e["in"]) for e in refused.json()["errors"]) == [("from", "query"), ("to", "query")]
    assert "date_" not in refused.text
    missing_body = await cabinet.client.post("/api/v1/accounts/1015/blocks", headers={**me, **JSON})
    assert missing_body.json()["errors"] == [{"field": None, "in": "body", "message": "a JSON body is required"}]


@pytest.mark.parametrize("params", [{"from": "2024-12-31"}, {"to": "2024-12-31"}, {"from": "2024-12-01", "to": "2024-12-31"},
                                    {"from": "2024-12-01", "to": "2026-01-31"}])
async def test_a_history_bound_older_than_12_months_is_refused_whichever_it_is(
        cabinet: Cabinet, params: dict[str, str]) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    today = cabinet.clock.now().date()  # the fake clock's business date is in March 2026
    refused = await cabinet.client.get("/api/v1/accounts/1015/payments", params=params, headers=me)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "request.date_range_too_old"
    assert refused.json()["earliest"] == today.replace(year=today.year - 1).isoformat()
    within = await cabinet.client.get("/api/v1/accounts/1015/payments",
                                      params={"from": refused.json()["earliest"], "to": today.isoformat()}, headers=me)
    assert within.status_code == 200, within.text


#: Bodies a route refuses, each sent to an account the caller may not see.
BAD_BODIES: list[tuple[str, bytes, dict[str, str]]] = [
    ("malformed JSON", b'{"starts_on": ', JSON),
    ("a NUL in a field", json.dumps({"starts_on": "2026-03-20\u0000", "days": 14}).encode(), JSON),
    ("not JSON at all", b"starts_on=2026-03-20", {"content-type": "text/plain"}),
    ("the wrong fields", json.dumps({"days": "fourteen"}).encode(), JSON),
    ("no body", b"", JSON),
]


@pytest.mark.parametrize(("why", "body", "headers"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
async def test_an_account_the_caller_may_not_see_is_404_whatever_the_body(
        cabinet: Cabinet, why: str, body: bytes, headers: dict[str, str]) -> None:
    me, admin = await cabinet.login(*SUBSCRIBER), await cabinet.login(*ORG_ADMIN)
    before = len(await events_of(cabinet.database_url))
    for caller, account in ((me, "2002"), (admin, "1015"), (me, "no-such")):
        for path in (f"/api/v1/accounts/{account}/blocks", f"/api/v1/accounts/{account}/promised-payments",
                     f"/api/v1/accounts/{account}/guarantees"):
            foreign = await cabinet.client.post(path, content=body, headers={**caller, **headers})
            assert foreign.status_code == 404, (why, path, foreign.text)
            assert foreign.json()["code"] == "account.not_found"
    anonymous = await cabinet.client.post("/api/v1/accounts/1015/blocks", content=body, headers=headers)
    assert anonymous.status_code == 401, anonymous.text
    own = await cabinet.client.post("/api/v1/accounts/1015/blocks", content=body, headers={**me, **headers})
    assert own.status_code in (400, 415), own.text  # the caller's own account: the body's own answer
    assert len(await events_of(cabinet.database_url)) == before


@pytest.mark.parametrize(("path", "code"), [
    ("/api/v1/accounts/1015/guarantees", "guarantee.org_admin_only"),
    ("/api/v1/accounts/1015/payments/p-1/reversal", "payment.reversal_operator_only"),
])
async def test_a_route_the_caller_may_not_use_is_403_whatever_the_body(cabinet: Cabinet, path: str, code: str) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    for body in (b"{", json.dumps({"amount": "1e2"}).encode(), json.dumps({"reason": "a\u0000b"}).encode()):
        refused = await cabinet.client.post(path, content=body, headers={**me, **JSON})
        assert refused.status_code == 403 and refused.json()["code"] == code, refused.text


async def test_a_repeated_command_answers_its_first_result_and_says_it_is_a_replay(cabinet: Cabinet) -> None:
    me = await cabinet.login(*SUBSCRIBER)
    headers = {**me, "idempotency-key": "block-once"}
    first = await cabinet.client.post("/api/v1/accounts/1015/blocks", json=BLOCK, headers=headers)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers, first.text
    again = await cabinet.client.post("/api/v1/accounts/1015/blocks", json=BLOCK, headers=headers)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["block_id"] == first.json()["block_id"]

    # The same for a command answered 200 the first time, and for one with its own answer.
    cancel = f"/api/v1/accounts/1015/blocks/{first.json()['block_id']}/cancel"
    cancelled = [await cabinet.client.post(cancel, headers={**me, "idempotency-key": "cancel-once"}) for _ in range(2)]
    assert [(r.status_code, r.headers.get("idempotent-replayed")) for r in cancelled] == [(200, None), (200, "true")]
    preferences: list[Any] = [await cabinet.client.put(
        "/api/v1/profile/notification-preferences", json={"preferences": {"blocks": ["sms"]}},
        headers={**me, "idempotency-key": "prefs-once"}) for _ in range(2)]
    assert [r.headers.get("idempotent-replayed") for r in preferences] == [None, "true"], preferences[0].text



async def test_the_summary_says_which_business_date_and_time_zone_its_days_are(cabinet: Cabinet) -> None:
    cabinet.clock.set(datetime(2026, 3, 11, 21, 15, tzinfo=UTC))  # already the 12th in Minsk (UTC+3)
    me = await cabinet.login(*SUBSCRIBER)
    summary = (await cabinet.client.get("/api/v1/accounts/1015/summary", headers=me)).json()
    assert (summary["business_date"], summary["time_zone"]) == ("2026-03-12", "Europe/Minsk")
    blocks = (await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)).json()
    assert (blocks["business_date"], blocks["time_zone"]) == ("2026-03-12", "Europe/Minsk")
    tomorrow = date.fromisoformat(summary["business_date"]) + timedelta(days=1)
    block = await cabinet.client.post("/api/v1/accounts/1015/blocks", json={"starts_on": tomorrow.isoformat(),
                                                                            "days": 14}, headers=me)
    assert block.status_code == 201, block.text
    scheduled = (await cabinet.client.get("/api/v1/accounts/1015/blocks", headers=me)).json()["scheduled"]
    assert [(b["starts_on"], b["state"]) for b in scheduled] == [("2026-03-13", "scheduled")]
