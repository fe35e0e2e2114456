"""The system as processes: the Procfile's services on free ports, a broker and a database of
their own, exactly as `make run` starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.devstack import free_port, start_broker
from shared.run import ROOT, processes, service_ports, stack_env, wait_ready


@dataclass
class Stack:
    urls: dict[str, str]
    env: dict[str, str]
    logs: dict[str, Path]

    def log_text(self, service: str) -> str:
        return self.logs[service].read_text(errors="replace")


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    broker = start_broker()
    ports = {name: free_port() for name in service_ports({})}
    env = stack_env(database_url, broker.bootstrap, ports)
    env.update(BILLING_ENV="test", LOG_FORMAT="json", LOG_LEVEL="DEBUG",
               INTERNAL_API_TOKEN="e2e-internal", GATEWAY_OPERATOR_TOKEN="e2e-operator")
    running: dict[str, subprocess.Popen[bytes]] = {}
    logs: dict[str, Path] = {}
    try:
        for name, cmd in processes().items():
            logs[name] = tmp_path / f"{name}.log"
            running[name] = subprocess.Popen(
                cmd, shell=True, cwd=ROOT, env=env, stdout=logs[name].open("wb"),
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        if not wait_ready(ports, timeout=60):
            output = "\n".join(f"--- {n}\n{p.read_text()[-3000:]}" for n, p in logs.items())
            raise AssertionError(f"services did not become ready:\n{output}")
        yield Stack({n: f"http://127.0.0.1:{p}" for n, p in ports.items()}, env, logs)
    finally:
        for process in running.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in running.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        broker.stop()


def poll(fetch: object, until: object, timeout: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = fetch()  # type: ignore[operator]
        if until(response) or time.monotonic() > deadline:  # type: ignore[operator]
            return response  # type: ignore[no-any-return]
        time.sleep(0.1)
