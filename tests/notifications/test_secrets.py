"""One-time secrets posted by the accounts service: sent at once, never stored or published (the
processes' logs are scanned end to end, tests/e2e); a repeat sends nothing twice; bad input
changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import asyncpg

from shared.db import Pool
from tests.eventually import eventually
from tests.notifications.conftest import Notifications
from tests.notifications.factories import CODE, PASSWORD, TOKEN, secret_request
from tests.shared.kafka_helpers import read_topic


async def all_rows_as_text(database_url: str) -> str:
    """Every row of every table of every schema of the test's database, as text."""
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'")
        dumps = [await conn.fetch(f'SELECT t::text AS row FROM "{t["table_schema"]}"."{t["table_name"]}" t')
                 for t in tables]
    finally:
        await conn.close()
    return "\n".join(row["row"] for dump in dumps for row in dump)


async def test_no_secret_appears_in_any_table_or_event_after_a_login_code_flow(
    notifications: Notifications, cabinet_messages: Pool,
) -> None:
    """The log lines are scanned over real processes, each with its whole output, in
    tests/e2e/test_messages_reach_the_subscriber.py (in one test process, loggers bound by earlier
    tests write to streams this test cannot capture)."""
    code = await notifications.client.post("/internal/v1/deliveries/secret", headers=TOKEN,
                                           json=secret_request(notifications.clock.now()))
    assert code.status_code == 201, code.text
    assert code.json()["status"] == "sent" and code.json()["address_masked"] == "37529*****11"
    mail = await notifications.client.post("/internal/v1/deliveries/secret", headers=TOKEN, json=secret_request(
        notifications.clock.now(), kind="temporary_password", channel="email", address="ivan@example.com",
        secret=PASSWORD, language="en"))
    assert mail.status_code == 201, mail.text
    await notifications.outbox(sms=1, email=1)
    assert CODE in notifications.sms.received[0]["text"]
    assert f"Your temporary password for the cabinet: {PASSWORD}" in notifications.smtp.received[0].get_content()

    # The cabinet lists both, masked, under each of the user's accounts.
    async def listed() -> bool:
        rows = await cabinet_messages.fetch("SELECT text, status FROM cabinet_messages WHERE '1016' = ANY(account_ids)")
        return len(rows) == 2 and {r["status"] for r in rows} == {"sent"}

    await eventually(listed)
    texts = [r["text"] for r in await cabinet_messages.fetch("SELECT text FROM cabinet_messages ORDER BY channel")]
    assert "Your temporary password for the cabinet: ******" in texts[0]
    assert texts[1] == "Код для входа в личный кабинет: ******. Никому его не сообщайте."

    published = await read_topic(notifications.kafka.bootstrap, notifications.kafka.topic("billing.notifications.events"), 4)
    assert len(published) == 4  # queued and sent, for each of the two
    tables = await all_rows_as_text(notifications.database_url)
    assert "******" in tables  # the scan does see the messages' rows
    for secret in (CODE, PASSWORD):
        # On its own: not the microseconds of some timestamp that happen to be the same digits.
        alone = re.compile(rf"(?<![\d.]){re.escape(secret)}(?!\d)")
        assert not alone.search(tables)
        assert not any(alone.search(record.value.decode()) for record in published)


async def test_the_same_request_twice_sends_one_message(notifications: Notifications) -> None:
    headers = {**TOKEN, "idempotency-key": "login-u-1-0001"}
    first = await notifications.client.post("/internal/v1/deliveries/secret", headers=headers,
                                            json=secret_request(notifications.clock.now()))
    again = await notifications.client.post("/internal/v1/deliveries/secret", headers=headers,
                                            json=secret_request(notifications.clock.now()))
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["message_id"] == first.json()["message_id"] and again.json()["status"] == "sent"
    await notifications.outbox(sms=1, email=0)


BAD_INPUT = [
    {"kind": "password"}, {"channel": "pigeon"}, {"address": "not-a-phone"},
    {"channel": "email", "address": "375291111111"}, {"secret": "12"}, {"secret": None},
    {"expires_at": "tomorrow"}, {"expires_at": "2026-11-20T10:05:00"}, {"user_id": "../x"},
    {"account_ids": ["ok", "bad id"]}, {"language": "de"}, {"unexpected": 1},
]


async def test_bad_input_is_a_problem_with_a_stable_code_that_sends_and_stores_nothing(
    notifications: Notifications,
) -> None:
    for change in BAD_INPUT:  # one service for all the cases: each would otherwise start its own
        response = await notifications.client.post("/internal/v1/deliveries/secret", headers=TOKEN,
                                                   json=secret_request(notifications.clock.now(), **change))
        assert response.status_code == 400, (change, response.text)
        assert response.json()["code"] == "request.invalid"
        assert CODE not in response.text
    assert await notifications.deliveries() == []
    assert notifications.sms.received == []


async def test_an_expired_secret_and_a_missing_token_are_refused(notifications: Notifications) -> None:
    expired = await notifications.client.post("/internal/v1/deliveries/secret", headers=TOKEN, json=secret_request(
        notifications.clock.now(), expires_at=(notifications.clock.now() - timedelta(seconds=1)).isoformat()))
    assert expired.status_code == 422 and expired.json()["code"] == "delivery.secret_expired"
    anonymous = await notifications.client.post("/internal/v1/deliveries/secret", json=secret_request(notifications.clock.now()))
    assert anonymous.status_code == 401
    assert await notifications.deliveries() == []


async def test_an_undeliverable_secret_is_tried_then_fails_visibly_and_the_caller_is_told(
    notifications: Notifications,
) -> None:
    notifications.sms.fail_with = 503  # the SMS gateway is having an outage
    response = await notifications.client.post("/internal/v1/deliveries/secret", headers=TOKEN,
                                               json=secret_request(notifications.clock.now()))
    assert response.status_code == 424
    assert response.json()["code"] == "delivery.failed"
    [row] = await notifications.deliveries()
    assert row["status"] == "failed" and row["attempts"] == 3 and row["last_error"] == "sms gateway: HTTP 503"
    assert CODE not in row["body"]
    assert notifications.sms.received == []
