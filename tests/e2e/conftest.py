"""The system as processes: the Procfile's services on free ports, a broker and a database of
their own, exactly as `make run` starts them.

`stack` gives a test a stack of its own, `module_stack` (`demo_stack`: with the demo data) one for a
module's tests that can share it; both come from one `StackSupply`, which starts the next test's
stack while the current test runs (`_next_stack_meanwhile`)."""

from __future__ import annotations

import concurrent.futures
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

from shared.devstack import Broker, free_port
from shared.run import ROOT, load_demo_data, processes, service_ports, stack_env, wait_ready
from tests.conftest import KafkaSpace, SharedBroker, database_outside_a_loop, kafka_space

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


class StackSupply:
    """Stacks on databases and topic prefixes of their own. The next test's may be started while a
    test runs (`prepare`): its 15 s and more of start-up then overlap that test's waiting."""

    def __init__(self, admin_dsn: str, broker: Broker | SharedBroker, folders: pytest.TempPathFactory) -> None:
        self.admin_dsn, self.broker, self.folders = admin_dsn, broker, folders
        self._starter = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="next-stack")
        self._spare: concurrent.futures.Future[tuple[Stack, contextlib.ExitStack]] | None = None

    def _start(self) -> tuple[Stack, contextlib.ExitStack]:
        with contextlib.ExitStack() as resources:
            database_url = resources.enter_context(database_outside_a_loop(self.admin_dsn))
            started = resources.enter_context(
                running_stack(database_url, kafka_space(self.broker), self.folders.mktemp("stack")))
            return started, resources.pop_all()

    def prepare(self) -> None:
        """Start the next stack now, in the background."""
        if self._spare is None:
            self._spare = self._starter.submit(self._start)

    @contextlib.contextmanager
    def take(self) -> Iterator[Stack]:
        """The stack `prepare` started (once it is up), else one started now; stopped afterwards."""
        spare, self._spare = self._spare, None
        started, resources = spare.result() if spare is not None else self._start()
        with resources:
            yield started

    def close(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            with contextlib.suppress(Exception):
                spare.result()[1].close()
        self._starter.shutdown()


@pytest.fixture(scope="session")
def stack_supply(pg_admin_dsn: str, broker: Broker | SharedBroker,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackSupply]:
    supply = StackSupply(pg_admin_dsn, broker, tmp_path_factory)
    yield supply
    supply.close()


@pytest.fixture
def stack(stack_supply: StackSupply) -> Iterator[Stack]:
    """A stack of the test's own: for a test that moves the clock, kills a process or needs the
    demo data as loaded, untouched by any other test."""
    with stack_supply.take() as started:
        yield started


@pytest.fixture(scope="module")
def module_stack(stack_supply: StackSupply) -> Iterator[Stack]:
    """One stack for every test of a module that takes it (a stack takes 15 s and more to start):
    its tests never move its clock or kill its processes, each works on accounts, keys and amounts
    no other test of the module changes, and none depends on another having run before it."""
    with stack_supply.take() as started:
        yield started


def _takes_a_new_stack(items: list[pytest.Item], index: int) -> bool:
    item = items[index]
    names = getattr(item, "fixturenames", ())
    if "stack" in names:
        return True
    return "module_stack" in names and not any(
        earlier.module is item.module and "module_stack" in getattr(earlier, "fixturenames", ())
        for earlier in items[:index])


@pytest.fixture(autouse=True)
def _next_stack_meanwhile(request: pytest.FixtureRequest) -> None:
    """While a test runs on a stack from the supply, the stack of the test after it (if that one
    takes a new one) starts. Not beside a test that starts stacks or brokers itself
    (test_broker_loss_under_load.py, test_replays_fire_nothing_twice.py): those run alone."""
    names = request.fixturenames
    if "stack" not in names and "module_stack" not in names:
        return
    request.getfixturevalue("stack" if "stack" in names else "module_stack")  # this test's first
    items = request.session.items
    following = items.index(request.node) + 1
    if following < len(items) and _takes_a_new_stack(items, following):
        request.getfixturevalue("stack_supply").prepare()


@pytest.fixture(scope="module")
def demo_stack(module_stack: Stack) -> Stack:
    """`module_stack` with the demo data loaded, once (a second load is not a no-op: it files
    another support request)."""
    module_stack.load_demo_data()
    return module_stack


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
