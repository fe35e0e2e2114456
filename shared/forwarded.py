"""The client's address behind trusted reverse proxies (an Ingress controller, a load balancer).

Behind a proxy every request comes from the proxy's address, so every subscriber would share one
per-address login bucket. A proxy appends the address it got the request from to
`X-Forwarded-For`; anyone can write anything to the left of that. So the header counts only when
the immediate peer is a proxy we trust (`TRUSTED_PROXIES`, empty by default: nobody), and then the
client is the right-most address in it that is not a trusted proxy itself: the last hop a trusted
proxy vouches for. `Forwarded` (RFC 7239) is not read: proxies that append one also append to
`X-Forwarded-For`, and reading both would let a client pick the one its proxy leaves alone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from typing import TypeAlias

from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = ["Network", "client_address", "forwarded_client", "parse_trusted_proxies"]

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """`"10.0.0.0/8, 192.168.1.7, fd00::/8"`: networks and single addresses, comma-separated."""
    networks = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network (CIDR)") from None
    return tuple(networks)


def _address(entry: str) -> Address | None:
    """One `X-Forwarded-For` entry: `203.0.113.7`, `203.0.113.7:51234`, `2001:db8::1`, `[2001:db8::1]:443`."""
    text = entry.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address, given the immediate peer and the `X-Forwarded-For` headers in order."""
    if not _trusted(_address(peer), trusted):
        return peer
    hops = [entry for header in forwarded_for for entry in header.split(",") if entry.strip()]
    for entry in reversed(hops):
        address = _address(entry)
        if address is None:
            return peer  # a trusted proxy passed on nonsense: vouch for nobody behind it
        if not _trusted(address, trusted):
            return str(address)
    first = _address(hops[0]) if hops else None
    return str(first) if first is not None else peer  # proxies all the way: the farthest one


def forwarded_client(trusted: Sequence[Network]) -> Callable[[ASGIApp], ASGIApp]:
    """ASGI middleware putting the client's address into `scope["client"]` (port 0: unknown)."""

    def factory(app: ASGIApp) -> ASGIApp:
        if not trusted:
            return app

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            peer = scope.get("client")
            if scope["type"] in ("http", "websocket") and peer:
                forwarded_for = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
                client = client_address(peer[0], forwarded_for, trusted)
                if client != peer[0]:
                    scope = {**scope, "client": (client, 0)}  # type: ignore[assignment]
            await app(scope, receive, send)

        return middleware

    return factory
