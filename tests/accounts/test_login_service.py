"""Cabinet credentials in the accounts service, against a real PostgreSQL, with a fake clock:
passwords, temporary passwords (24 h), one-time SMS codes (once), and no secret kept in clear."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg

from tests.accounts.conftest import AccountsApp, events_of, load_demo

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
    assert weak.status_code == 400 and weak.json()["code"] == "password.too_weak"


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
