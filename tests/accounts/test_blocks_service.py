"""Voluntary blocks through the accounts service's API, against a real PostgreSQL: concurrency,
timers written with BlockScheduled, start and end fired by the runtime's timers on a fake clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg

from tests.accounts.factories import AccountsApp, events_of, load_demo
from tests.eventually import eventually


async def test_two_block_requests_at_once_with_a_quota_of_one_schedule_exactly_one(
    accounts: AccountsApp, database_url: str
) -> None:
    await load_demo(accounts.client)
    first, second = await asyncio.gather(
        accounts.post("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-03-20", "days": 14}),
        accounts.post("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-06-01", "days": 30}),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 422]
    loser = first if first.status_code == 422 else second
    assert loser.json()["code"] == "block.quota_used_up"
    assert len(await events_of(database_url, "BlockScheduled")) == 1


async def test_a_scheduled_block_starts_and_ends_by_its_timers_on_the_fake_clock(
    accounts: AccountsApp, database_url: str
) -> None:
    await load_demo(accounts.client)
    response = await accounts.post("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-03-12", "days": 14},
                                   **{"idempotency-key": "block-1"})
    assert response.status_code == 201, response.text
    block = response.json()
    assert (block["starts_on"], block["ends_on"], block["state"]) == ("2026-03-12", "2026-03-25", "scheduled")
    assert block["stream_id"] == "account-1015" and block["position"] > 0

    # The timers were written with the event: due at midnight in Minsk of the first day, and of the
    # day service resumes.
    conn = await asyncpg.connect(database_url)
    try:
        timers = {r["kind"]: r["due_at"] for r in await conn.fetch(
            "SELECT kind, due_at FROM accounts.timers WHERE payload->>'block_id' = $1", block["block_id"])}
    finally:
        await conn.close()
    assert timers["block.start"].isoformat() == "2026-03-11T21:00:00+00:00"
    assert timers["block.end"].isoformat() == "2026-03-25T21:00:00+00:00"

    await asyncio.sleep(0.5)
    assert await block_events(database_url) == []  # not yet: the fake clock is still on March 11th
    accounts.clock.advance(timedelta(hours=15))  # 21:00 UTC = midnight in Minsk
    await block_events_become(database_url, ["BlockStarted"])
    accounts.clock.advance(timedelta(days=14))
    await block_events_become(database_url, ["BlockStarted", "BlockEnded"])
    [ended] = await events_of(database_url, "BlockEnded")
    assert ended["early"] is False

    # The same request again is the first answer, not a second block.
    again = await accounts.post("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-03-12", "days": 14},
                                **{"idempotency-key": "block-1"})
    assert again.status_code == 200 and again.json()["block_id"] == block["block_id"]


async def test_a_cancelled_block_never_starts_and_a_lifted_one_ends_early(
    accounts: AccountsApp, database_url: str
) -> None:
    await load_demo(accounts.client)
    scheduled = (await accounts.post("/internal/v1/accounts/1015/blocks",
                                     {"starts_on": "2026-03-12", "days": 14})).json()
    cancelled = await accounts.post(f"/internal/v1/accounts/1015/blocks/{scheduled['block_id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    today = (await accounts.post("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-03-11", "days": 30})).json()
    await block_events_become(database_url, ["BlockStarted"])  # starting today: at once
    accounts.clock.advance(timedelta(days=2))
    lifted = await accounts.post(f"/internal/v1/accounts/1015/blocks/{today['block_id']}/lift")
    assert lifted.status_code == 200 and lifted.json()["state"] == "ended"
    accounts.clock.advance(timedelta(days=40))  # every timer is due now, and fires into nothing
    await asyncio.sleep(0.6)
    assert await block_events(database_url) == ["BlockStarted", "BlockEnded"]
    [ended] = await events_of(database_url, "BlockEnded")
    assert ended["early"] is True and ended["block_id"] == today["block_id"]
    refused = await accounts.post(f"/internal/v1/accounts/1015/blocks/{today['block_id']}/cancel")
    assert refused.status_code == 422 and refused.json()["code"] == "block.already_started"


async def block_events(database_url: str) -> list[str]:
    return [e["type"] for e in await events_of(database_url, "BlockStarted", "BlockEnded")]


async def block_events_become(database_url: str, expected: list[str]) -> None:
    async def reached() -> bool:
        return await block_events(database_url) == expected

    await eventually(reached)


async def test_bad_input_is_refused_with_a_stable_code_and_changes_nothing(
    accounts: AccountsApp, database_url: str
) -> None:
    await load_demo(accounts.client)
    before = len(await events_of(database_url))
    cases = [
        ("/internal/v1/accounts/1015/blocks", {"starts_on": "tomorrow", "days": 14}, 400, "request.invalid"),
        ("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-03-20", "days": "x"}, 400, "request.invalid"),
        ("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-03-10", "days": 14}, 422, "block.starts_in_past"),
        ("/internal/v1/accounts/1015/blocks", {"starts_on": "2026-03-20", "days": 181}, 422,
         "block.period_out_of_range"),
        ("/internal/v1/accounts/9999/blocks", {"starts_on": "2026-03-20", "days": 14}, 404, "account.not_found"),
        ("/internal/v1/accounts/1015/blocks/nope/cancel", None, 404, "block.not_found"),
        ("/internal/v1/accounts/1015/lines/inet-1015/tariff", {"tariff_id": "nope"}, 404, "tariff.not_found"),
        ("/internal/v1/accounts/1015/lines/nope/tariff", {"tariff_id": "inet-100-1m"}, 404, "line.not_found"),
        ("/internal/v1/accounts/1015/lines/inet-1015/tariff", {"tariff_id": "mobile-business"}, 422,
         "tariff.wrong_kind"),
        ("/internal/v1/accounts", {"account_id": "5005", "client_id": "c1015", "opening_balance": "1.005"}, 400,
         "request.invalid"),
        ("/internal/v1/accounts", {"account_id": "5005", "client_id": "c1015", "opening_balance": 1.5}, 400,
         "request.invalid"),
        ("/internal/v1/accounts", {"account_id": "5005", "client_id": "nobody"}, 404, "client.not_found"),
        ("/internal/v1/accounts", {"account_id": "1015", "client_id": "c2002"}, 409, "idempotency.key_reused"),
        ("/internal/v1/accounts/1015/lines", {"line_id": "l2", "identifier": "x", "subscriber_name": "y",
                                              "tariff_id": "inet-50-1m", "extra": 1}, 400, "request.invalid"),
        ("/internal/v1/users", {"user_id": "u9", "role": "subscriber", "login": "9009", "account_ids": ["1015"],
                                "password": "short"}, 422, "password.too_weak"),
        ("/internal/v1/users", {"user_id": "u9", "role": "subscriber", "login": "9009", "account_ids": ["1015"],
                                "password": "long-enough-1", "phone": "12ab"}, 422, "phone.invalid"),
        ("/internal/v1/users", {"user_id": "u9", "role": "subscriber", "login": "1015", "account_ids": ["1015"],
                                "password": "long-enough-1"}, 409, "user.login_taken"),
    ]
    for path, body, status, code in cases:
        response = await accounts.post(path, body)
        assert (response.status_code, response.json()["code"]) == (status, code), (path, body, response.text)
    assert len(await events_of(database_url)) == before
