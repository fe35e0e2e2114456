"""Cabinet credentials in the accounts service, against a real PostgreSQL, with a fake clock:
passwords, temporary passwords (24 h), one-time SMS codes (once), and no secret kept in clear."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import cast

import asyncpg
import pytest

from services.accounts.adapters.couriers import SecretNotDelivered
from services.accounts.adapters.credentials import PostgresCredentials
from shared.db import Pool
from tests.accounts.factories import AccountsApp, events_of, load_demo

LOGIN = {"login": "1015", "password": "demo-1015-pass"}


async def test_a_password_login_answers_the_users_claims_and_a_wrong_one_says_nothing_more(
    accounts: AccountsApp,
) -> None:
    await load_demo(accounts.client)
    ok = await accounts.post("/internal/v1/auth/password", LOGIN)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {
        "user_id": "u1015", "role": "subscriber", "login": "1015", "account_ids": ["1015"], "organization_id": None,
        "must_change_password": False, "language": "ru", "contact_phone_missing": True,
    }
    by_phone = await accounts.post("/internal/v1/auth/password", {"login": "+7 911 000-10-15", "password": LOGIN["password"]})
    assert by_phone.status_code == 200 and by_phone.json()["user_id"] == "u1015"
    for wrong in ({"login": "1015", "password": "wrong-pass-1"}, {"login": "9999", "password": "demo-1015-pass"}):
        refused = await accounts.post("/internal/v1/auth/password", wrong)
        assert refused.status_code == 401
        assert refused.json()["code"] == "auth.invalid_credentials"


async def test_a_temporary_password_works_for_24_hours_and_only_to_change_the_password(
    accounts: AccountsApp, database_url: str
) -> None:
    await load_demo(accounts.client)
    assert (await accounts.post("/internal/v1/auth/recovery", {"login": "1015"})).status_code == 202
    sent = accounts.courier.last("temporary_password")
    assert (sent.channel, sent.address, sent.user_id) == ("email", "ivanov@example.com", "u1015")
    assert sent.expires_at == accounts.clock.now() + timedelta(hours=24)
    [issued] = await events_of(database_url, "TemporaryPasswordIssued")
    assert issued["email_masked"] == "i***v@example.com"

    accounts.clock.advance(timedelta(hours=23, minutes=59))
    temporary = await accounts.post("/internal/v1/auth/password", {"login": "1015", "password": sent.secret})
    assert temporary.status_code == 200 and temporary.json()["must_change_password"] is True
    # The permanent password still works until it is changed.
    assert (await accounts.post("/internal/v1/auth/password", LOGIN)).json()["must_change_password"] is False

    accounts.clock.advance(timedelta(minutes=1))
    expired = await accounts.post("/internal/v1/auth/password", {"login": "1015", "password": sent.secret})
    assert expired.status_code == 401 and expired.json()["code"] == "auth.temporary_password_expired"
    late_change = await accounts.post("/internal/v1/users/u1015/password",
                                      {"current_password": sent.secret, "new_password": "brand-new-pass1"})
    assert late_change.status_code == 403 and late_change.json()["code"] == "password.current_wrong"


async def test_changing_the_password_with_the_temporary_one_makes_the_new_one_the_only_one(
    accounts: AccountsApp, database_url: str
) -> None:
    await load_demo(accounts.client)
    await accounts.post("/internal/v1/auth/recovery", {"login": "2002"})
    secret = accounts.courier.last("temporary_password").secret
    changed = await accounts.post("/internal/v1/users/u2002/password",
                                  {"current_password": secret, "new_password": "brand-new-pass1"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False and changed.json()["stream_id"] == "user-u2002"
    assert (await accounts.post("/internal/v1/auth/password", {"login": "2002", "password": "brand-new-pass1"})
            ).status_code == 200
    for old in (secret, "demo-2002-pass"):
        assert (await accounts.post("/internal/v1/auth/password", {"login": "2002", "password": old})
                ).status_code == 401
    [event] = await events_of(database_url, "PasswordChanged")
    assert set(event) == {"type", "stream_id", "user_id", "account_ids", "at"}
    weak = await accounts.post("/internal/v1/users/u2002/password",
                               {"current_password": "brand-new-pass1", "new_password": "short"})
    assert weak.status_code == 422 and weak.json()["code"] == "password.too_weak"


async def test_a_login_code_lets_in_once_and_is_refused_the_second_time(accounts: AccountsApp) -> None:
    await load_demo(accounts.client)
    assert (await accounts.post("/internal/v1/auth/codes", {"phone": "79110001015"})).status_code == 202
    sent = accounts.courier.last("login_code")
    assert (sent.channel, sent.address, len(sent.secret)) == ("sms", "79110001015", 6)
    wrong = "000000" if sent.secret != "000000" else "111111"
    refused = await accounts.post("/internal/v1/auth/codes/verify", {"phone": "79110001015", "code": wrong})
    assert refused.status_code == 401 and refused.json()["code"] == "auth.code_invalid"

    # The right code presented twice at once lets in exactly once.
    first, second = await asyncio.gather(*(
        accounts.post("/internal/v1/auth/codes/verify", {"phone": "79110001015", "code": sent.secret})
        for _ in range(2)))
    assert sorted([first.status_code, second.status_code]) == [200, 401]
    assert (first if first.status_code == 200 else second).json()["user_id"] == "u1015"
    again = await accounts.post("/internal/v1/auth/codes/verify", {"phone": "79110001015", "code": sent.secret})
    assert again.status_code == 401 and again.json()["code"] == "auth.code_used"


async def test_a_login_code_expires_and_five_wrong_guesses_burn_it(accounts: AccountsApp) -> None:
    await load_demo(accounts.client)
    await accounts.post("/internal/v1/auth/codes", {"phone": "79110001015"})
    code = accounts.courier.last("login_code").secret
    accounts.clock.advance(timedelta(minutes=10))
    expired = await accounts.post("/internal/v1/auth/codes/verify", {"phone": "79110001015", "code": code})
    assert expired.status_code == 401 and expired.json()["code"] == "auth.code_expired"

    await accounts.post("/internal/v1/auth/codes", {"phone": "79110001015"})
    code = accounts.courier.last("login_code").secret
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        await accounts.post("/internal/v1/auth/codes/verify", {"phone": "79110001015", "code": wrong})
    burnt = await accounts.post("/internal/v1/auth/codes/verify", {"phone": "79110001015", "code": code})
    assert burnt.status_code == 401 and burnt.json()["code"] == "auth.code_invalid"


async def test_an_unknown_login_or_phone_gets_the_same_answer_and_nothing_is_sent(accounts: AccountsApp) -> None:
    await load_demo(accounts.client)
    assert (await accounts.post("/internal/v1/auth/recovery", {"login": "no-such"})).status_code == 202
    assert (await accounts.post("/internal/v1/auth/codes", {"phone": "375000000000"})).status_code == 202
    assert accounts.courier.sent == []


async def test_no_secret_is_kept_in_clear_in_any_event_or_table(accounts: AccountsApp, database_url: str) -> None:
    await load_demo(accounts.client)
    await accounts.post("/internal/v1/auth/recovery", {"login": "1015"})
    await accounts.post("/internal/v1/auth/codes", {"phone": "79110001015"})
    await accounts.patch("/internal/v1/users/u1015/profile", {"sms_phone": "375291234567", "passport": "MP1234567"})
    await accounts.post("/internal/v1/users/u1015/sms-phone/code")
    secrets = [d.secret for d in accounts.courier.sent] + ["demo-1015-pass", "demo-2002-pass", "demo-operator-pass"]
    assert len(secrets) == 6
    assert "MP1234567" not in str(await events_of(database_url, "ProfileChanged"))  # passport: masked in events
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'accounts'")
        dumps = [str(await conn.fetch(f'SELECT * FROM accounts."{t["table_name"]}"')) for t in tables]
        events = str(await conn.fetch("SELECT payload, metadata FROM accounts.events"))
    finally:
        await conn.close()
    for secret in secrets:
        assert not any(secret in dump for dump in dumps), secret
    assert "$argon2" not in events and "hash" not in events
    assert "$argon2id$" in " ".join(dumps)  # the hashes are there, as hashes


async def test_recovery_answers_the_same_for_unknown_logins_users_without_e_mail_and_failed_deliveries(
    accounts: AccountsApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_demo(accounts.client)
    assert (await accounts.post("/internal/v1/auth/recovery", {"login": "no-such"})).status_code == 202
    no_email = await accounts.post("/internal/v1/auth/recovery", {"login": "operator"})  # the demo operator has none
    assert no_email.status_code == 202, no_email.text

    async def undeliverable(*_: object) -> None:
        raise SecretNotDelivered()

    monkeypatch.setattr(accounts.courier, "deliver", undeliverable)
    failed = await accounts.post("/internal/v1/auth/recovery", {"login": "1015"})
    assert failed.status_code == 202, failed.text
    assert failed.json() == no_email.json() == {"status": "accepted"}


async def test_a_phone_confirmation_code_confirms_only_the_number_it_was_sent_to(
    accounts: AccountsApp, database_url: str
) -> None:
    await load_demo(accounts.client)
    users = "/internal/v1/users/op-1"  # the demo operator: no login phone yet, so a confirmed one is adopted
    assert (await accounts.patch(f"{users}/profile", {"sms_phone": "375291111111"})).status_code == 200
    assert (await accounts.post(f"{users}/sms-phone/code")).status_code == 202
    code = accounts.courier.last("phone_confirmation_code")
    assert code.address == "375291111111"
    # The attacker swaps in the victim's number and confirms it with the code sent to their own.
    assert (await accounts.patch(f"{users}/profile", {"sms_phone": "375292222222"})).status_code == 200
    refused = await accounts.post(f"{users}/sms-phone/confirm", {"code": code.secret})
    assert refused.status_code == 401 and refused.json()["code"] == "auth.code_invalid"
    # Switching back does not revive the code either: it was dropped with the change.
    assert (await accounts.patch(f"{users}/profile", {"sms_phone": "375291111111"})).status_code == 200
    again = await accounts.post(f"{users}/sms-phone/confirm", {"code": code.secret})
    assert again.status_code == 401 and again.json()["code"] == "auth.code_invalid"
    profile = (await accounts.get(users + "/profile")).json()
    assert profile["sms_phone_confirmed"] is False
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT phone FROM accounts.credentials WHERE user_id = 'op-1'") is None
    finally:
        await conn.close()
    # A fresh code for the current number still works.
    assert (await accounts.post(f"{users}/sms-phone/code")).status_code == 202
    fresh = accounts.courier.last("phone_confirmation_code").secret
    assert (await accounts.post(f"{users}/sms-phone/confirm", {"code": fresh})).status_code == 200


async def test_two_users_adopting_the_same_phone_at_once_do_not_fail(accounts: AccountsApp, database_url: str) -> None:
    await load_demo(accounts.client)
    created = await accounts.post("/internal/v1/users", {
        "user_id": "op-2", "role": "operator", "login": "operator2", "account_ids": [],
        "password": "op-2-password-x", "must_change_password": False})
    assert created.status_code in (200, 201), created.text
    credentials = PostgresCredentials(cast(Pool, None))  # adopt_phone works on the connection it is given
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        for conn in (first, second):
            await conn.execute("SET search_path TO accounts")
        one, two = first.transaction(), second.transaction()
        await one.start()
        await two.start()
        await credentials.adopt_phone(first, "op-1", "375293333333")
        racing = asyncio.create_task(credentials.adopt_phone(second, "op-2", "375293333333"))
        await asyncio.sleep(0.3)
        assert not racing.done()  # waiting for the first on the unique index
        await one.commit()
        await racing  # the loser skips adopting instead of failing
        await two.commit()
        owners = await first.fetch("SELECT user_id, phone FROM credentials WHERE user_id IN ('op-1', 'op-2')"
                                   " ORDER BY user_id")
        assert [(r["user_id"], r["phone"]) for r in owners] == [("op-1", "375293333333"), ("op-2", None)]
    finally:
        await first.close()
        await second.close()
