"""The gateway's side: the cabinet's "Messages" list (its read model, built from
billing.notifications.events by contract) and the caller's notification preferences, read from the
notifications service and changed through the accounts service. Every route checks the caller may
see the account; a foreign account answers 404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, get_args

import httpx
import pytest
from litestar import Litestar, Request, get, post
from litestar.di import Provide

from services.gateway.auth import Caller
from services.gateway.entrypoints.messages import MessagesController, NotificationPreferencesController, Topic
from services.gateway.projections.messages import CabinetMessages
from services.notifications.domain.catalog import TOPICS
from shared.db import Pool
from shared.http import exception_handlers
from shared.internal_api import InternalClient
from shared.projection import apply_batch
from tests.notifications.factories import AT, message_event, queued

CALLERS = {
    "subscriber": Caller(role="subscriber", user_id="u-1015", account_ids=frozenset({"1015"})),
    "other": Caller(role="subscriber", user_id="u-2002", account_ids=frozenset({"2002"})),
    "operator": Caller(role="operator", user_id="op-1"),
}


@pytest.fixture
async def cabinet(gateway_pool: Pool) -> AsyncIterator[httpx.AsyncClient]:
    # The accounts the cabinet knows (an operator sees those): as the accounts projection would have them.
    await gateway_pool.execute(
        "INSERT INTO cabinet_account_directory (account_id, client_id, contract_number, payment_form, opened_at,"
        " opening_balance) SELECT a, 'c-' || a, a, 'prepaid', $1, 0 FROM unnest($2::text[]) AS a", AT, ["1015", "2002"])
    ids = [f"00000000-0000-0000-0000-00000000000{n}" for n in range(1, 5)]
    await apply_batch(gateway_pool, CabinetMessages(), [
        queued(ids[0], ["1015"], "sms", 1),
        message_event("MessageSent", ids[0], 2, channel="sms", attempt=1, sent_at=AT.isoformat()),
        queued(ids[1], ["1015"], "email", 2),
        message_event("MessageAttemptFailed", ids[1], 2, attempt=1, error="smtp: down",
                      next_attempt_at=AT.isoformat()),
        message_event("MessageFailed", ids[1], 3, channel="email", attempts=5, reason="smtp: down",
                      failed_at=AT.isoformat()),
        queued(ids[2], ["1015", "2002"], "sms", 3),  # a login code of a user of both accounts, pending
        queued(ids[3], ["2002"], "sms", 4),
    ])
    forwarded: list[dict[str, Any]] = []

    @get("/internal/v1/users/{user_id:str}/notification-preferences", sync_to_thread=False)
    def notifications_preferences(user_id: str) -> dict[str, Any]:
        # what the accounts service was last sent, as the notifications service shows it once applied
        chosen = forwarded[-1]["body"]["preferences"] if forwarded else {"blocks": ["email"]}
        return {"user_id": user_id, "topics": [{"topic": topic, "default_channels": ["sms", "email"],
                                                "channels": channels} for topic, channels in chosen.items()]}

    @post("/internal/v1/users/{user_id:str}/notification-preferences", sync_to_thread=False)
    def accounts_preferences(user_id: str, data: dict[str, Any], request: Request[Any, Any, Any]) -> dict[str, Any]:
        forwarded.append({"user_id": user_id, "body": data, "actor": request.headers.get("x-actor")})
        return {"stream_id": f"user-{user_id}", "stream_version": 0, "position": 0}

    def client_of(name: str, app: Litestar) -> InternalClient:
        return InternalClient(name, "http://internal", "t", transport=httpx.ASGITransport(app=app))

    async def caller(request: Request[Any, Any, Any]) -> Caller:
        return CALLERS[request.headers["x-test-caller"]]

    async def pool() -> Pool:
        return gateway_pool

    async def notifications_api() -> InternalClient:
        return client_of("notifications", Litestar([notifications_preferences]))

    async def accounts() -> InternalClient:
        return client_of("accounts", Litestar([accounts_preferences]))

    app = Litestar(
        [MessagesController, NotificationPreferencesController],
        dependencies={"caller": Provide(caller), "pool": Provide(pool), "accounts": Provide(accounts),
                      "notifications_api": Provide(notifications_api)},
        exception_handlers=exception_handlers,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        client.forwarded = forwarded  # type: ignore[attr-defined]
        yield client


async def test_the_messages_list_shows_the_callers_account_newest_first_with_each_state(
    cabinet: httpx.AsyncClient,
) -> None:
    page = (await cabinet.get("/api/v1/accounts/1015/messages", headers={"x-test-caller": "subscriber"})).json()
    assert [(i["channel"], i["status"]) for i in page["items"]] == [("sms", "pending"), ("email", "failed"),
                                                                    ("sms", "sent")]
    assert page["total"] == 3
    failed = page["items"][1]
    assert failed["attempts"] == 5 and failed["last_error"] == "smtp: down" and failed["failed_at"]
    assert page["items"][2]["sent_at"] and page["items"][0]["address_masked"] == "37529*****11"
    sent = (await cabinet.get("/api/v1/accounts/1015/messages", params={"status": "sent"},
                              headers={"x-test-caller": "subscriber"})).json()
    assert [i["status"] for i in sent["items"]] == ["sent"] and sent["total"] == 1
    second = (await cabinet.get("/api/v1/accounts/1015/messages", params={"limit": 1, "offset": 1},
                                headers={"x-test-caller": "subscriber"})).json()
    assert [i["status"] for i in second["items"]] == ["failed"] and second["total"] == 3
    both = (await cabinet.get("/api/v1/accounts/2002/messages", headers={"x-test-caller": "operator"})).json()
    assert both["total"] == 2


async def test_a_foreign_account_answers_404_and_bad_filters_400(cabinet: httpx.AsyncClient) -> None:
    foreign = await cabinet.get("/api/v1/accounts/2002/messages", headers={"x-test-caller": "subscriber"})
    assert foreign.status_code == 404 and foreign.json()["code"] == "account.not_found"
    for params in ({"status": "lost"}, {"limit": 0}, {"limit": 101}, {"offset": -1}):
        bad = await cabinet.get("/api/v1/accounts/1015/messages", params=params, headers={"x-test-caller": "subscriber"})
        assert bad.status_code == 400 and bad.json()["code"] == "request.invalid", params


async def test_preferences_are_read_from_notifications_and_changed_through_accounts(cabinet: httpx.AsyncClient) -> None:
    mine = await cabinet.get("/api/v1/profile/notification-preferences", headers={"x-test-caller": "subscriber"})
    assert mine.status_code == 200 and mine.json()["user_id"] == "u-1015"
    changed = await cabinet.put("/api/v1/profile/notification-preferences", headers={"x-test-caller": "subscriber"},
                                json={"preferences": {"blocks": ["email", "email"], "payment_received": []}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["preferences"] == {"blocks": ["email"], "payment_received": []}
    assert changed.json()["read_model_current"] is True  # answered once the notifications service shows it
    assert cabinet.forwarded == [{"user_id": "u-1015", "actor": "subscriber:u-1015",  # type: ignore[attr-defined]
                                  "body": {"preferences": {"blocks": ["email"], "payment_received": []}}}]
    for body in ({"preferences": {"horoscope": ["sms"]}}, {"preferences": {"blocks": ["fax"]}}, {"blocks": ["sms"]},
                 {"preferences": {"blocks": ["sms", "email", "sms"]}}):
        bad = await cabinet.put("/api/v1/profile/notification-preferences", json=body,
                                headers={"x-test-caller": "subscriber"})
        assert bad.status_code == 400 and bad.json()["code"] == "request.invalid", body
    assert len(cabinet.forwarded) == 1  # type: ignore[attr-defined]


def test_every_topic_the_service_sends_can_be_chosen_in_the_cabinet() -> None:
    assert set(get_args(Topic)) == set(TOPICS)
