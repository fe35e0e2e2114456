"""Mobile extras' rules (seed 003), pure: SIM codes' format, closed user group, call forwarding by
condition, voicemail Plus's e-mail copy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.accounts.domain.events import CallForwardingChanged, SimCodesRecorded
from services.accounts.domain.mobile import MobileLine
from shared.errors import DomainError

NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


def _line(add_ons: frozenset[str] = frozenset(), forwarding: dict[str, str] | None = None) -> MobileLine:
    return MobileLine("3004", "m1", "mobile", add_ons, forwarding or {})


def _code(call: object) -> str:
    with pytest.raises(DomainError) as refused:
        call()  # type: ignore[operator]
    return refused.value.code


def test_sim_codes_are_recorded_without_the_codes_in_the_event() -> None:
    [recorded] = _line().record_sim_codes("1234", "12345678", "5678", "87654321", NOW)
    assert isinstance(recorded, SimCodesRecorded)
    assert set(recorded.to_payload()) == {"account_id", "line_id", "at"}
    for codes in (("12", "12345678", "5678", "87654321"), ("1234", "1234567", "5678", "87654321"),
                  ("1234", "12345678", "56a8", "87654321")):
        assert _code(lambda c=codes: _line().record_sim_codes(*c, NOW)) == "sim.bad_codes"


def test_forwarding_is_set_per_condition_to_a_normalized_number_and_cancelled() -> None:
    [set_busy] = _line().set_forwarding("busy", "+375 (29) 765-43-21")
    assert isinstance(set_busy, CallForwardingChanged) and set_busy.target == "375297654321"
    assert _line(forwarding={"busy": "375297654321"}).set_forwarding("busy", "+375297654321") == []  # no change
    [cancelled] = _line(forwarding={"busy": "375297654321"}).set_forwarding("busy", None)
    assert cancelled.target is None  # type: ignore[attr-defined]
    assert _code(lambda: _line().set_forwarding("always", "+375297654321")) == "forwarding.bad_condition"
    assert _code(lambda: _line().set_forwarding("busy", "not a number")) == "phone.invalid"


def test_a_voicemail_copy_needs_voicemail_plus_and_an_e_mail() -> None:
    assert _code(lambda: _line().set_voicemail_copy("a@b.by")) == "voicemail.plus_not_connected"
    plus = _line(frozenset({"voicemail-plus"}))
    assert plus.set_voicemail_copy(" a@b.by ")[0].email == "a@b.by"  # type: ignore[attr-defined]
    assert _code(lambda: plus.set_voicemail_copy("nope")) == "email.invalid"


def test_only_a_mobile_line_has_these_extras() -> None:
    with pytest.raises(DomainError) as refused:
        MobileLine("1015", "inet-1015", "internet", frozenset(), {})
    assert refused.value.code == "mobile.not_a_mobile_line"
