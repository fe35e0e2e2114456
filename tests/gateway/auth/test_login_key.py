"""The gateway's rate-limit key for a login and the accounts service's lookup of it are twins
(services share no code): every spelling that reaches the same user must count in one bucket."""

from __future__ import annotations

import pytest

from services.accounts.domain.rules import login_key
from services.gateway.auth.rate_limits import login_bucket_key

EXAMPLES = ["1015", " 1015 ", "A1-3003", "a1-3003", "79110001015", "+7 (911) 000-10-15", "+7 911 000 10 15",
            "7-911-000-1015", "\t+375 (29) 123-45-67\n", "Operator", "o p-1", "(+)"]


@pytest.mark.parametrize("login", EXAMPLES)
def test_the_gateway_key_is_what_accounts_looks_up_by_phone_and_decides_the_login_too(login: str) -> None:
    as_login, as_phone = login_key(login)
    assert login_bucket_key(login) == as_phone
    # Whatever the accounts service matches, as a login or as a phone, is decided by this key.
    assert login_bucket_key(as_login) == login_bucket_key(login)


def test_spellings_of_one_phone_share_a_key() -> None:
    assert {login_bucket_key(s) for s in ("79110001015", "+7 (911) 000-10-15", " 7-911-000-1015 ")} == {"79110001015"}
