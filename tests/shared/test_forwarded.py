"""Which address is the client's: X-Forwarded-For counts only from a trusted proxy, and then its
right-most entry that is not a trusted proxy."""

from __future__ import annotations

import pytest

from shared.forwarded import client_address, parse_trusted_proxies
from shared.settings import CommonSettings, SettingsError, load_settings

INGRESS = parse_trusted_proxies("10.0.0.0/24, 192.168.7.1, fd00::/8")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # an untrusted peer's header is ignored
        ("10.0.0.3", [], "10.0.0.3"),  # a proxy with no header is the client
        ("10.0.0.3", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.3", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the client's own entries are ignored
        ("10.0.0.3", ["6.6.6.6", "198.51.100.1, 192.168.7.1"], "198.51.100.1"),  # headers joined in order
        ("10.0.0.3", ["198.51.100.1:51234"], "198.51.100.1"),
        ("10.0.0.3", ["[2001:db8::7]:443"], "2001:db8::7"),
        ("fd00::1", ["2001:db8::7"], "2001:db8::7"),
        ("10.0.0.3", ["10.0.0.9, 192.168.7.1"], "10.0.0.9"),  # proxies all the way: the farthest
        ("10.0.0.3", ["198.51.100.1, not-an-address"], "10.0.0.3"),  # nonsense from a proxy: the peer
        ("testclient", ["198.51.100.1"], "testclient"),
    ],
)
def test_the_client_address(peer: str, forwarded_for: list[str], client: str) -> None:
    assert client_address(peer, forwarded_for, INGRESS) == client


def test_nobody_is_trusted_by_default() -> None:
    assert client_address("10.0.0.3", ["198.51.100.1"], parse_trusted_proxies("")) == "10.0.0.3"


def test_a_bad_trusted_proxy_stops_the_start_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://x/y")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    monkeypatch.setenv("BILLING_ENV", "test")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, ingress.example")
    with pytest.raises(SettingsError, match=r"TRUSTED_PROXIES.*ingress\.example"):
        load_settings(CommonSettings)
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.7.1")
    assert [str(n) for n in load_settings(CommonSettings).trusted_proxy_networks] == ["10.0.0.0/8", "192.168.7.1/32"]
