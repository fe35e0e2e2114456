"""Where each service's store lives: in production one database per service.

`dsn_for` is the one answer to "which database holds service X": a `--dsn X=URL` given on the
command line, else `X_DATABASE_URL` (ACCOUNTS_DATABASE_URL, PAYMENTS_DATABASE_URL, ...), else
`DATABASE_URL` (one database for all, each service in its own schema: the dev stack), else what
a running `make run` wrote in `.run/stack.env`, else the dev default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "DEV_DATABASE_URL", "SERVICES", "STACK_FILE", "dev_stack", "dsn_for", "parse_dsn_options", "redacted",
    "service_databases",
]

DEV_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/billing"
#: Written by `make run` while it runs: where its PostgreSQL and Kafka are (no secrets in it).
STACK_FILE = Path(__file__).resolve().parents[2] / ".run" / "stack.env"


def dev_stack(path: Path = STACK_FILE) -> dict[str, str]:
    """The running dev stack's `DATABASE_URL` and `KAFKA_BOOTSTRAP_SERVERS`, if `make run` is up."""
    if not path.exists():
        return {}
    pairs = (line.partition("=") for line in path.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, _, value in pairs}
#: Every service keeping a schema: its event store, checkpoints, projections.
SERVICES = ("accounts", "payments", "invoicing", "telephony", "notifications", "gateway")


def parse_dsn_options(values: Sequence[str]) -> dict[str, str]:
    """`--dsn payments=postgresql://...` options, each naming a known service."""
    given: dict[str, str] = {}
    for value in values:
        service, equals, dsn = value.partition("=")
        service = service.strip().lower()
        if not equals or not dsn.strip():
            raise ValueError(f"--dsn takes SERVICE=URL, got {service or value!r} without a URL")
        if service not in SERVICES:
            raise ValueError(f"--dsn: unknown service {service!r} (one of {', '.join(SERVICES)})")
        given[service] = dsn.strip()
    return given


def dsn_for(service: str, given: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None,
            stack: Mapping[str, str] | None = None) -> str:
    """The database holding `service`'s schema (`stack`: the running dev stack's, read if not given)."""
    env = os.environ if environ is None else environ
    return (
        (given or {}).get(service)
        or env.get(f"{service.upper()}_DATABASE_URL")
        or env.get("DATABASE_URL")
        or (dev_stack() if stack is None else stack).get("DATABASE_URL")
        or DEV_DATABASE_URL
    )


def service_databases(given: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
                      ) -> dict[str, str]:
    """Every service's database, by service."""
    return {service: dsn_for(service, given, environ) for service in SERVICES}


def redacted(dsn: str) -> str:
    """`host:port/database`, never the user or password: safe to print."""
    try:
        parts = urlsplit(dsn)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unreadable database URL)"
    return f"{parts.hostname or 'local socket'}{port}{parts.path or '/'}"
