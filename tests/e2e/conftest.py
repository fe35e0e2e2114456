"""The system as processes: the Procfile's services on free ports, a broker and a database of
their own, exactly as `make run` starts them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.devstack import free_port
from shared.run import ROOT, load_demo_data, processes, service_ports, stack_env, wait_ready
from tests.conftest import KafkaSpace

E2E_OPERATOR = ("e2e-operator", "e2e-operator-pass1")
#: How often a process reads the dev clock's offset (shared.clock.DevClock's default).
DEV_CLOCK_REFRESH_S = 1.0


@dataclass
class Stack:
    urls: dict[str, str]
    env: dict[str, str]
    logs: dict[str, Path]
    processes: dict[str, subprocess.Popen[bytes]]

    def log_text(self, service: str) -> str:
        return self.logs[service].read_text(errors="replace")

    def load_demo_data(self) -> None:
        """deploy/demo/requests.json, as `make run` loads it."""
        load_demo_data({n: int(u.rsplit(":", 1)[1]) for n, u in self.urls.items()}, self.env)

    def move_clock_to(self, instant: datetime) -> None:
        """Set this stack's dev clock (shared.clock.DevClock: every process reads the offset file at
        most once a second) so that it reads `instant` now, and give every process that second."""
        Path(self.env["DEV_CLOCK_FILE"]).write_text(str((instant - datetime.now(UTC)).total_seconds()))
        time.sleep(DEV_CLOCK_REFRESH_S + 0.5)

    def login(self, login: str, password: str) -> dict[str, str]:
        """Log in through the gateway; the headers carrying the access token."""
        response = httpx.post(f"{self.urls['gateway']}/api/v1/auth/login",
                              json={"login": login, "password": password})
        assert response.status_code == 200, response.text
        return {"authorization": f"Bearer {response.json()['access_token']}"}

    def operator(self) -> dict[str, str]:
        """An operator user (created through the accounts service's office API) logged in."""
        login, password = E2E_OPERATOR
        created = httpx.post(
            f"{self.urls['accounts']}/internal/v1/users",
            json={"user_id": login, "role": "operator", "login": login, "password": password,
                  "must_change_password": False},
            headers={"x-internal-token": self.env["INTERNAL_API_TOKEN"], "x-actor": "e2e"},
        )
        assert created.status_code in (200, 201), created.text
        return self.login(login, password)


@pytest.fixture
def stack(database_url: str, kafka: KafkaSpace, tmp_path: Path) -> Iterator[Stack]:
    with running_stack(database_url, kafka, tmp_path) as started:
        yield started


@contextlib.contextmanager
def running_stack(database_url: str, kafka: KafkaSpace, tmp_path: Path) -> Iterator[Stack]:
    """Every Procfile process on free ports, on `kafka`'s broker and topic prefix."""
    ports = {name: free_port() for name in service_ports({})}
    env = stack_env(database_url, kafka.bootstrap, ports)
    env.update(KAFKA_TOPIC_PREFIX=kafka.topic_prefix, BILLING_ENV="test", LOG_FORMAT="json", LOG_LEVEL="DEBUG",
               INTERNAL_API_TOKEN="e2e-internal", GATEWAY_TOKEN_SECRET="e2e-gateway-token-secret",
               DEV_CLOCK_FILE=str(tmp_path / "dev-clock"),  # this stack's own clock, never make run's
               # The bound on a command's wait for the read models (2 s in production): the tests
               # assert what the next query shows, on a machine other test runs share.
               READ_YOUR_WRITES_TIMEOUT_S="5")
    # The dev SMTP and SMS sinks (Procfile) listen where the notifications service sends: free ports.
    env.update(SMTP_PORT=str(free_port()), SMS_GATEWAY_URL=f"http://127.0.0.1:{free_port()}/messages")
    running: dict[str, subprocess.Popen[bytes]] = {}
    logs: dict[str, Path] = {}
    try:
        for name, cmd in processes().items():
            logs[name] = tmp_path / f"{name}.log"
            running[name] = subprocess.Popen(
                cmd, shell=True, cwd=ROOT, env=env, stdout=logs[name].open("wb"),
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        if not wait_ready(ports, timeout=180):  # a bound for a hung start; loaded machines start slowly
            output = "\n".join(f"--- {n}\n{p.read_text()[-3000:]}" for n, p in logs.items())
            raise AssertionError(f"services did not become ready:\n{output}")
        yield Stack({n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, env, logs, running)
    finally:
        for process in running.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in running.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def poll(fetch: object, until: object, timeout: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = fetch()  # type: ignore[operator]
        if until(response) or time.monotonic() > deadline:  # type: ignore[operator]
            return response  # type: ignore[no-any-return]
        time.sleep(0.1)


def debtor_blocked_by_charges(stack: Stack, headers: dict[str, str], account_id: str = "2002") -> dict[str, Any]:
    """The demo debtor's summary once this month's charges (invoicing's, in advance: it has no money)
    have blocked it and the payments service offers a promised payment up to this month's fees as
    invoicing forecast them (which are those charges: the month from the day the line was added)."""
    api = f"{stack.urls['gateway']}/api/v1/accounts/{account_id}"
    blocked = poll(lambda: httpx.get(f"{api}/summary", headers=headers),
                   lambda r: r.status_code == 200 and r.json()["status"] == "blocked_financial")
    assert blocked.json()["status"] == "blocked_financial", blocked.text
    charged = blocked.json()["charged_total"]
    offer = poll(lambda: httpx.get(f"{api}/promised-payments/offer", headers=headers),
                 lambda r: r.status_code == 200 and r.json()["max_amount"] == charged)
    assert offer.json()["available"] and offer.json()["max_amount"] == charged, offer.text
    return dict(blocked.json())
