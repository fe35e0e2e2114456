"""Access tokens, pure: signed claims that expire; a forged or stale one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.gateway.auth import Caller
from services.gateway.auth.tokens import AccessClaims, issue_access_token, read_access_token
from services.gateway.settings import GatewaySettings
from shared.clock import FakeClock
from shared.errors import Unauthenticated

SECRET = b"a-test-secret-of-enough-length-123"
NOW = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)


def test_a_token_carries_its_claims_until_it_expires() -> None:
    clock = FakeClock(datetime(2026, 3, 11, 6, 0, tzinfo=UTC))
    claims = AccessClaims(sub="u-org-a1", role="org_admin", org="org-a1", sid="s1")
    token, expires = issue_access_token(claims, SECRET, clock.now(), timedelta(minutes=15))
    assert expires == int(clock.now().timestamp()) + 900
    read = read_access_token(token, SECRET, clock.now())
    assert (read.sub, read.role, read.org, read.acc, read.mcp) == ("u-org-a1", "org_admin", "org-a1", [], False)
    clock.advance(timedelta(minutes=14, seconds=59))
    assert read_access_token(token, SECRET, clock.now()).sub == "u-org-a1"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthenticated) as expired:
        read_access_token(token, SECRET, clock.now())
    assert expired.value.code == "auth.token_expired"


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
    lambda t: "eyJyb2xlIjoib3BlcmF0b3IifQ." + t.split(".")[1],  # someone else's payload
    lambda t: t.split(".")[0],  # no signature
    lambda t: "not a token",
])
def test_a_forged_token_is_refused(tamper: object) -> None:
    now = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)
    token, _ = issue_access_token(AccessClaims(sub="u1015", role="subscriber", acc=["1015"]), SECRET, now,
                                  timedelta(minutes=15))
    with pytest.raises(Unauthenticated) as refused:
        read_access_token(tamper(token), SECRET, now)  # type: ignore[operator]
    assert refused.value.code == "auth.token_invalid"
    with pytest.raises(Unauthenticated):
        read_access_token(token, b"another-secret-entirely-0123456789", now)


def test_who_may_see_what() -> None:
    subscriber = Caller("subscriber", "u1015", frozenset({"1015"}))
    admin = Caller("org_admin", "u-org-a1", frozenset({"3003", "3004"}), "org-a1")
    operator = Caller("operator", "op-1")
    assert subscriber.may_see("1015") and not subscriber.may_see("2002")
    assert admin.may_see("3004") and not admin.may_see("1015")
    assert operator.may_see("1015") and operator.may_see("3003")
    assert admin.may_see_organization("org-a1") and not admin.may_see_organization("org-b2")
    assert not subscriber.may_see_organization("org-a1") and operator.may_see_organization("org-a1")


def test_production_requires_a_real_token_secret() -> None:
    base = {"billing_env": "prod", "database_url": "postgresql://x", "kafka_bootstrap_servers": "k:9092",
            "internal_api_token": "t" * 32, "notifications_url": "http://notifications:8105"}
    with pytest.raises(ValidationError, match="GATEWAY_TOKEN_SECRET"):
        GatewaySettings(**base)
    with pytest.raises(ValidationError, match="GATEWAY_TOKEN_SECRET"):
        GatewaySettings(**base, gateway_token_secret="too-short")
    assert GatewaySettings(**base, gateway_token_secret="s" * 32).token_secret == b"s" * 32


def test_a_non_ascii_signature_is_refused_not_a_type_error() -> None:
    token, _ = issue_access_token(AccessClaims(sub="u1", role="subscriber"), SECRET, NOW, timedelta(minutes=15))
    body, _, _ = token.partition(".")
    with pytest.raises(Unauthenticated) as refused:
        read_access_token(f"{body}.подпись", SECRET, NOW)
    assert refused.value.code == "auth.token_invalid"
