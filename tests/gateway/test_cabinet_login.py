"""Cabinet login through the gateway: short-lived access tokens, rotating refresh tokens, logout,
rate-limited attempts, the temporary password that must be changed first, the SMS code once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.gateway.factories import ORG_ADMIN, SUBSCRIBER, Cabinet


async def test_login_rate_limit_counts_wrong_attempts_per_login_and_then_refuses_even_the_right_one(
    cabinet: Cabinet,
) -> None:
    wrong = {"login": "1015", "password": "not-the-password1"}
    answers = await asyncio.gather(*(cabinet.client.post("/api/v1/auth/login", json=wrong) for _ in range(5)))
    assert [a.status_code for a in answers] == [401] * 5
    assert {a.json()["code"] for a in answers} == {"auth.invalid_credentials"}
    limited = await cabinet.client.post("/api/v1/auth/login", json={"login": "1015", "password": SUBSCRIBER[1]})
    assert limited.status_code == 429
    assert limited.json()["code"] == "auth.rate_limited" and 0 < limited.json()["retry_after_s"] <= 900
    # Another login is not affected; the window passes and the right password works again.
    assert (await cabinet.client.post("/api/v1/auth/login", json={"login": ORG_ADMIN[0], "password": ORG_ADMIN[1]})
            ).status_code == 200
    cabinet.clock.advance(timedelta(minutes=15))
    assert (await cabinet.client.post("/api/v1/auth/login", json={"login": "1015", "password": SUBSCRIBER[1]})
            ).status_code == 200


async def test_tokens_expire_refresh_rotates_a_reused_refresh_token_ends_the_session_logout_too(
    cabinet: Cabinet,
) -> None:
    login = await cabinet.client.post("/api/v1/auth/login", json={"login": "1015", "password": SUBSCRIBER[1]})
    tokens = login.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    assert tokens["user"] == {"user_id": "u1015", "role": "subscriber", "login": "1015", "account_ids": ["1015"],
                              "organization_id": None, "must_change_password": False,
                              "contact_phone_missing": True, "language": "ru"}
    bearer = {"authorization": f"Bearer {tokens['access_token']}"}
    assert (await cabinet.client.get("/api/v1/auth/me", headers=bearer)).json()["account_ids"] == ["1015"]

    body, _, signature = tokens["access_token"].partition(".")
    forged = {"authorization": f"Bearer {body}x.{signature}"}
    assert (await cabinet.client.get("/api/v1/auth/me", headers=forged)).json()["code"] == "auth.token_invalid"

    cabinet.clock.advance(timedelta(minutes=15))
    expired = await cabinet.client.get("/api/v1/accounts/1015/summary", headers=bearer)
    assert expired.status_code == 401 and expired.json()["code"] == "auth.token_expired"

    refreshed = (await cabinet.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert (await cabinet.client.get("/api/v1/accounts/1015/summary",
                                     headers={"authorization": f"Bearer {fresh['access_token']}"})).status_code == 200

    # The old refresh token again: stolen; the whole session ends, the new one included.
    reused = await cabinet.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["code"] == "auth.refresh_reused"
    after = await cabinet.client.post("/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert after.status_code == 401 and after.json()["code"] == "auth.refresh_invalid"

    # Logout ends a session.
    second = (await cabinet.client.post("/api/v1/auth/login", json={"login": "1015", "password": SUBSCRIBER[1]})).json()
    assert (await cabinet.client.post("/api/v1/auth/logout", json={"refresh_token": second["refresh_token"]})
            ).status_code == 204
    gone = await cabinet.client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert gone.status_code == 401


async def test_a_temporary_password_lets_in_only_to_change_it_with_the_contact_phone(cabinet: Cabinet) -> None:
    assert (await cabinet.client.post("/api/v1/auth/recovery", json={"login": "2002"})).status_code == 202
    temporary = cabinet.courier.last("temporary_password").secret
    login = (await cabinet.client.post("/api/v1/auth/login", json={"login": "2002", "password": temporary})).json()
    assert login["user"]["must_change_password"] is True
    bearer = {"authorization": f"Bearer {login['access_token']}"}
    blocked = await cabinet.client.get("/api/v1/accounts/2002/summary", headers=bearer)
    assert blocked.status_code == 403 and blocked.json()["code"] == "auth.password_change_required"

    changed = await cabinet.client.post("/api/v1/auth/password", headers=bearer, json={
        "current_password": temporary, "new_password": "my-own-pass-2002", "contact_phone": "+7 (911) 000-20-02"})
    assert changed.status_code == 200, changed.text
    now = {"authorization": f"Bearer {changed.json()['access_token']}"}
    summary = await cabinet.client.get("/api/v1/accounts/2002/summary", headers=now)
    assert summary.status_code == 200 and summary.json()["account_id"] == "2002"
    profile = (await cabinet.client.get("/api/v1/profile", headers=now)).json()
    assert profile["contact_phone"] == "79110002002"
    # Every earlier session ended with the password change.
    old = await cabinet.client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert old.status_code == 401
    assert (await cabinet.client.post("/api/v1/auth/login", json={"login": "2002", "password": temporary})
            ).status_code == 401


async def test_an_sms_code_logs_in_once(cabinet: Cabinet) -> None:
    sent = await cabinet.client.post("/api/v1/auth/code", json={"phone": "+7 911 000-10-15"})
    assert sent.status_code == 202
    code = cabinet.courier.last("login_code").secret
    first = await cabinet.client.post("/api/v1/auth/code/login", json={"phone": "79110001015", "code": code})
    assert first.status_code == 200 and first.json()["user"]["user_id"] == "u1015"
    second = await cabinet.client.post("/api/v1/auth/code/login", json={"phone": "79110001015", "code": code})
    assert second.status_code == 401 and second.json()["code"] == "auth.code_used"
    unknown = await cabinet.client.post("/api/v1/auth/code", json={"phone": "375000000000"})
    assert unknown.status_code == 202 and len(cabinet.courier.sent) == 1


async def test_a_refreshed_token_still_requires_the_temporary_password_change(cabinet: Cabinet) -> None:
    assert (await cabinet.client.post("/api/v1/auth/recovery", json={"login": "2002"})).status_code == 202
    temporary = cabinet.courier.last("temporary_password").secret
    login = (await cabinet.client.post("/api/v1/auth/login", json={"login": "2002", "password": temporary})).json()
    refreshed = await cabinet.client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["user"]["must_change_password"] is True
    again = (await cabinet.client.post("/api/v1/auth/refresh",
                                       json={"refresh_token": refreshed.json()["refresh_token"]})).json()
    bearer = {"authorization": f"Bearer {again['access_token']}"}
    blocked = await cabinet.client.get("/api/v1/accounts/2002/summary", headers=bearer)
    assert blocked.status_code == 403 and blocked.json()["code"] == "auth.password_change_required"

    changed = await cabinet.client.post("/api/v1/auth/password", headers=bearer, json={
        "current_password": temporary, "new_password": "my-own-pass-2002"})
    assert changed.status_code == 200, changed.text
    # The new session, refreshed, lets in.
    fresh = (await cabinet.client.post("/api/v1/auth/refresh",
                                       json={"refresh_token": changed.json()["refresh_token"]})).json()
    assert fresh["user"]["must_change_password"] is False
    summary = await cabinet.client.get("/api/v1/accounts/2002/summary",
                                       headers={"authorization": f"Bearer {fresh['access_token']}"})
    assert summary.status_code == 200, summary.text


async def test_reformatting_the_phone_does_not_escape_the_login_and_recovery_limits(cabinet: Cabinet) -> None:
    spellings = ["79110001015", "+79110001015", "+7 911 000-10-15", "+7 (911) 000 10 15", "7-911-000-1015"]
    for spelling in spellings:
        wrong = await cabinet.client.post("/api/v1/auth/login", json={"login": spelling, "password": "wrong-pass-1"})
        assert wrong.status_code == 401, wrong.text
    limited = await cabinet.client.post("/api/v1/auth/login",
                                        json={"login": " +7(911)0001015 ", "password": SUBSCRIBER[1]})
    assert limited.status_code == 429 and limited.json()["code"] == "auth.rate_limited"

    for spelling in spellings[:3]:
        assert (await cabinet.client.post("/api/v1/auth/recovery", json={"login": spelling})).status_code == 202
    refused = await cabinet.client.post("/api/v1/auth/recovery", json={"login": spellings[3]})
    assert refused.status_code == 429 and refused.json()["code"] == "auth.rate_limited"


async def test_recovery_answers_202_whether_or_not_the_login_exists_or_has_an_e_mail(cabinet: Cabinet) -> None:
    answers = [await cabinet.client.post("/api/v1/auth/recovery", json={"login": login})
               for login in ("no-such-login", "operator", "1015")]  # the demo operator has no e-mail
    assert [a.status_code for a in answers] == [202, 202, 202], [a.text for a in answers]
    assert len({a.text for a in answers}) == 1


async def test_a_token_with_a_non_ascii_signature_is_refused_not_a_crash(cabinet: Cabinet) -> None:
    tokens = (await cabinet.client.post("/api/v1/auth/login", json={"login": "1015", "password": SUBSCRIBER[1]})
              ).json()
    body, _, _ = tokens["access_token"].partition(".")
    forged = {"authorization": f"Bearer {body}.подпись".encode()}
    answer = await cabinet.client.get("/api/v1/auth/me", headers=forged)
    assert answer.status_code == 401 and answer.json()["code"] == "auth.token_invalid"
