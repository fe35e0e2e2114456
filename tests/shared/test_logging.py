"""Library logs (aiokafka, asyncpg, Litestar, ...) come out like ours: one JSON line on stdout
with the service and the correlation id. Each case runs in a fresh interpreter, since structlog
and the logging module are configured once per process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, **env: str) -> tuple[list[dict[str, Any]], str]:
    """stdout's lines as JSON objects, and stderr."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def test_a_library_warning_is_one_json_line_with_the_correlation_id_and_service() -> None:
    lines, stderr = _run("""
        import logging
        from shared.logging import bind_correlation, configure_logging, get_logger
        configure_logging("payments", "INFO", "json")
        with bind_correlation("corr-42"):
            logging.getLogger("aiokafka").warning("broker %s is unreachable", "kafka:9092")
            logging.getLogger("aiokafka").info("library chatter stays out at INFO")
            get_logger(__name__).info("payment.registered", account_id="1015")
    """)
    assert stderr == ""
    library, ours = lines
    assert {k: library[k] for k in ("event", "logger", "level", "correlation_id", "service")} == {
        "event": "broker kafka:9092 is unreachable", "logger": "aiokafka", "level": "warning",
        "correlation_id": "corr-42", "service": "payments"}
    assert "timestamp" in library
    assert {k: ours[k] for k in ("event", "level", "correlation_id", "service")} == {
        "event": "payment.registered", "level": "info", "correlation_id": "corr-42", "service": "payments"}


def test_debug_lets_library_details_through() -> None:
    lines, _ = _run("""
        import logging
        from shared.logging import configure_logging
        configure_logging("gateway", "DEBUG", "json")
        logging.getLogger("asyncpg").debug("connection %d opened", 7)
    """)
    assert [(line["logger"], line["level"], line["event"]) for line in lines] == [
        ("asyncpg", "debug", "connection 7 opened")]


def test_a_service_app_keeps_library_logs_in_the_same_format() -> None:
    """Litestar configures the root logger itself unless told not to; the apps tell it not to."""
    lines, stderr = _run("""
        import logging
        from services.payments.app import create_app
        from services.payments.settings import PaymentsSettings
        create_app(PaymentsSettings(billing_env="test", database_url="postgresql://unused/db",
                                    kafka_bootstrap_servers="unused:9092", log_format="json"))
        logging.getLogger("litestar").error("cannot serve %s", "/x")
        logging.getLogger("httpx").info("HTTP Request: GET http://accounts/internal/v1/users")
    """)
    assert stderr == ""
    assert [(line["logger"], line["level"], line["event"], line["service"]) for line in lines] == [
        ("litestar", "error", "cannot serve /x", "payments")]
