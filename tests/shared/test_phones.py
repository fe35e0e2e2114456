"""Phone numbers are read as subscribers write them (issue 10: "8 029 …" and "8 911 …" became the
wrong login key and rate-limit bucket)."""

from __future__ import annotations

import pytest

from shared.phones import login_key, normalize_phone


@pytest.mark.parametrize(("spelling", "e164"), [
    ("8 029 123-45-67", "375291234567"), ("+375 (29) 123-45-67", "375291234567"), ("375291234567", "375291234567"),
    ("029 1234567", "375291234567"), ("8 (017) 200-30-03", "375172003003"),
    ("8 911 000-10-15", "79110001015"), ("+7 (911) 000-10-15", "79110001015"), ("79110001015", "79110001015"),
])
def test_every_spelling_of_a_number_is_one_e164_number(spelling: str, e164: str) -> None:
    assert normalize_phone(spelling) == e164
    assert login_key(spelling)[1] == e164


@pytest.mark.parametrize("text", ["1015", "a1-3003", "operator", "", "12", "+0 000", "x" * 50])
def test_what_is_no_phone_number_is_none(text: str) -> None:
    assert normalize_phone(text) is None


def test_a_login_that_is_no_phone_keeps_its_old_key() -> None:
    assert login_key(" A1-3003 ") == ("a1-3003", "a13003")
    assert login_key("1015") == ("1015", "1015")
