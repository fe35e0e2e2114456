"""End to end over running processes: the demo subscriber logs in through the gateway, schedules
a voluntary block (accounts service -> event store -> relay -> Kafka -> the gateway's read model)
and sees it at once on the account's pages; someone else's account stays invisible."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from shared.run import DEMO_SUBSCRIBER
from tests.e2e.conftest import Stack, poll


def test_the_demo_subscriber_schedules_a_block_and_sees_it(stack: Stack) -> None:
    stack.load_demo_data()
    gateway = stack.urls["gateway"]
    me = stack.login(*DEMO_SUBSCRIBER)

    summary = poll(lambda: httpx.get(f"{gateway}/api/v1/accounts/1015/summary", headers=me),
                   lambda r: r.status_code == 200 and r.json()["lines"])
    assert summary.status_code == 200, summary.text
    page = summary.json()
    assert page["status"] == "active"
    assert page["lines"][0]["tariff"]["name"] == "Безлимитный 50 Мбит/с, 1 мес"
    assert page["blocks"]["available"] == 1

    starts_on = (datetime.now(ZoneInfo("Europe/Minsk")) + timedelta(days=2)).date()
    request = {"starts_on": starts_on.isoformat(), "days": 14}
    key = {**me, "idempotency-key": "e2e-block-1"}
    scheduled = httpx.post(f"{gateway}/api/v1/accounts/1015/blocks", json=request, headers=key)
    assert scheduled.status_code == 201, scheduled.text
    block = scheduled.json()
    assert block["state"] == "scheduled" and block["read_model_current"] is True
    assert block["ends_on"] == (starts_on + timedelta(days=13)).isoformat()

    # Read-your-writes: the very next query shows it, and the quota is used.
    blocks = httpx.get(f"{gateway}/api/v1/accounts/1015/blocks", headers=me).json()
    assert [b["block_id"] for b in blocks["scheduled"]] == [block["block_id"]]
    assert blocks["available"] == 0

    # The same request again (same Idempotency-Key) is the same block, not a second one.
    again = httpx.post(f"{gateway}/api/v1/accounts/1015/blocks", json=request, headers=key)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["block_id"] == block["block_id"]
    # Another key: the yearly quota of one is used up; the accounts service's error comes through.
    refused = httpx.post(f"{gateway}/api/v1/accounts/1015/blocks", json=request,
                         headers={**me, "idempotency-key": "e2e-block-2"})
    assert refused.status_code == 422 and refused.json()["code"] == "block.quota_used_up"

    # The second demo subscriber's account does not exist for this subscriber.
    foreign = httpx.get(f"{gateway}/api/v1/accounts/2002/summary", headers=me)
    assert foreign.status_code == 404 and foreign.json()["code"] == "account.not_found"
