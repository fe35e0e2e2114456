"""The chaos drill: the whole stack as processes on a PostgreSQL and a broker of its own, a steady load
of payments and cabinet reads, and one fault at a time (kill -9 of a service, the broker or
PostgreSQL, then a restart). After each fault it audits every acknowledged payment: in the payments
store exactly once, in every read model that follows the payments topic exactly once, and every
balance equal to the store's sum; and it times how long the system took to converge.

`make chaos` runs every fault (`python -m tests.chaos`); the test suite runs a bounded part of it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from shared.devkafka import KafkaBroker
from shared.devstack import database_dsn, free_port, start_broker, start_embedded_postgres
from shared.run import ROOT, processes, service_ports, stack_env, wait_ready

INTERNAL_TOKEN = "chaos-internal"
OPERATOR = ("chaos-operator", "chaos-operator-pass1")
#: The read models that follow billing.payments.events: (schema, projection).
PAYMENT_READERS = (("gateway", "gateway.cabinet_payments"), ("accounts", "accounts.available_funds"),
                   ("notifications", "notifications.triggers"))
#: What a client may see while a part of the system is down: a 503 problem, or no connection.
OUTAGE_ANSWERS = {503, "connection"}


@dataclass
class Row:
    fault: str
    acked: int
    stored: int
    in_read_models: int
    lost: int
    duplicated: int
    converge_s: float
    #: Answers that told the client the part was down (503, no connection): proof the fault bit.
    outage_answers: int = 0
    unexpected: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and not self.unexpected


def table(rows: list[Row]) -> str:
    head = ("fault", "acked", "stored", "in read model", "lost", "duplicated", "converge s", "503/refused",
            "unexpected answers")
    lines = [head] + [(r.fault, str(r.acked), str(r.stored), str(r.in_read_models), str(r.lost),
                       str(r.duplicated), f"{r.converge_s:.1f}", str(r.outage_answers),
                       ", ".join(r.unexpected[:3]) or "-") for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = [" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


class Postgres:
    """An embedded PostgreSQL of the drill's own, which it can kill -9 and start again on the same
    socket and data."""

    def __init__(self, run_dir: Path) -> None:
        self.admin_dsn, self.server = start_embedded_postgres(run_dir)

    def kill(self) -> None:
        """kill -9 of the postmaster and every backend, as when the database's host fails."""
        postmaster = psutil.Process(self.server.get_pid())
        family = [postmaster, *postmaster.children(recursive=True)]
        while family:
            for process in family:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.send_signal(signal.SIGKILL)
            _, family = psutil.wait_procs(family, timeout=5)

    def start(self, timeout: float = 60) -> None:
        """Start it again on the same data and socket (crash recovery first); a start refused while
        the old processes' resources are released is tried again."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.server.ensure_postgres_running()
                return
            except subprocess.SubprocessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def stop(self) -> None:
        self.server.cleanup()


@dataclass
class Stack:
    """The Procfile's processes on fixed free ports, restartable one by one."""

    env: dict[str, str]
    ports: dict[str, int]
    logs: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            processes()[name], shell=True, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        process = self.running[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def wait_ready(self, names: list[str] | None = None, timeout: float = 90) -> None:
        ports = {n: p for n, p in self.ports.items() if names is None or n in names}
        if not wait_ready(ports, timeout=timeout):
            tails = "\n".join(f"--- {n}\n{(self.logs / f'{n}.log').read_text(errors='replace')[-2000:]}"
                              for n in ports)
            raise AssertionError(f"services did not become ready:\n{tails}")

    def stop(self) -> None:
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


class Load:
    """Payments at a steady rate into the payments service (each retried with the same external id
    until acknowledged, as a real client would), and balance reads through the gateway."""

    def __init__(self, stack: Stack, accounts: list[str], cabinet: dict[str, str], rate: float, tag: str) -> None:
        self.stack, self.accounts, self.cabinet, self.rate, self.tag = stack, accounts, cabinet, rate, tag
        self.acked: dict[str, str] = {}  # external id -> account
        self.outage_answers = 0
        self.unexpected: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._pay, daemon=True),
                         threading.Thread(target=self._read, daemon=True)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(90)

    @staticmethod
    def _answer(call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except httpx.TransportError:
            return "connection"

    def _pay(self) -> None:
        url = f"{self.stack.url('payments')}/internal/v1/payments"
        headers = {"x-internal-token": INTERNAL_TOKEN, "x-actor": "chaos"}
        with httpx.Client(timeout=10) as client:
            n, started = 0, time.monotonic()
            while not self._stop.is_set():
                time.sleep(max(0.0, started + n / self.rate - time.monotonic()))
                account, external_id = self.accounts[n % len(self.accounts)], f"{self.tag}-{n}"
                body = {"account_id": account, "amount": "1.00", "method": "cash", "external_id": external_id,
                        "paid_at": "2026-11-20T10:00:00+03:00"}
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    answer = self._answer(client.post, url, json=body, headers=headers)
                    status = answer if isinstance(answer, str) else answer.status_code
                    if status in (200, 201):
                        self.acked[external_id] = account
                        break
                    if status not in OUTAGE_ANSWERS:
                        self.unexpected.append(f"pay {status}: {answer.text[:120]}")
                        break
                    self.outage_answers += 1
                    time.sleep(0.2)  # the same payment again: it must count once
                n += 1

    def _read(self) -> None:
        url = f"{self.stack.url('gateway')}/api/v1/accounts/{self.accounts[0]}/balance"
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                answer = self._answer(client.get, url, headers=self.cabinet)
                status = answer if isinstance(answer, str) else answer.status_code
                if status != 200 and status not in OUTAGE_ANSWERS:
                    self.unexpected.append(f"read {status}: {answer.text[:120]}")
                elif status != 200:
                    self.outage_answers += 1
                time.sleep(0.05)


async def _audit(dsn: str, acked: dict[str, str], accounts: list[str]) -> dict[str, Any]:
    """Where the acknowledged payments are: the store, every payments read model, the balances."""
    conn = await asyncpg.connect(dsn)
    try:
        stored = {r["x"]: r["n"] for r in await conn.fetch(
            "SELECT payload->>'external_id' AS x, count(*) AS n FROM payments.events"
            " WHERE event_type = 'PaymentRegistered' AND payload->>'external_id' = ANY($1::text[])"
            " GROUP BY 1", list(acked))}
        in_gateway = {r["external_id"]: r["n"] for r in await conn.fetch(
            "SELECT external_id, count(*) AS n FROM gateway.cabinet_payments WHERE external_id = ANY($1::text[])"
            " GROUP BY 1", list(acked))}
        heads = {r["stream_id"]: r["v"] for r in await conn.fetch(
            "SELECT stream_id, max(stream_version) AS v FROM payments.events GROUP BY stream_id")}
        behind = 0
        for schema, projection in PAYMENT_READERS:
            applied = {r["stream_id"]: r["stream_version"] for r in await conn.fetch(
                f"SELECT stream_id, stream_version FROM {schema}.projection_streams WHERE projection = $1",
                projection)}
            behind += sum(1 for stream, head in heads.items() if applied.get(stream, 0) < head)
        sums = {r["a"]: r["s"] for r in await conn.fetch(
            "SELECT payload->>'account_id' AS a, sum((payload->>'amount')::numeric) AS s FROM payments.events"
            " WHERE event_type = 'PaymentRegistered' AND payload->>'account_id' = ANY($1::text[]) GROUP BY 1",
            accounts)}
        funds = {r["account_id"]: r["movements"] for r in await conn.fetch(
            "SELECT account_id, movements FROM accounts.available_funds WHERE account_id = ANY($1::text[])",
            accounts)}
        return {"stored": stored, "gateway": in_gateway, "behind": behind, "sums": sums, "funds": funds}
    finally:
        await conn.close()


def _balances(stack: Stack, accounts: list[str], cabinet: dict[str, str]) -> dict[str, Decimal]:
    found = {}
    for account in accounts:
        response = httpx.get(f"{stack.url('gateway')}/api/v1/accounts/{account}/balance", headers=cabinet,
                             timeout=10)
        if response.status_code == 200:
            found[account] = Decimal(response.json()["balance"])
    return found


class Drill:
    """The stack, its accounts and an operator's token, ready for faults."""

    def __init__(self, run_dir: Path, postgres: Postgres, broker: KafkaBroker, rate: float) -> None:
        self.run_dir, self.rate, self.postgres, self.broker = run_dir, rate, postgres, broker
        self.dsn = database_dsn(postgres.admin_dsn, "postgres")
        ports = {name: free_port() for name in service_ports({})}
        env = stack_env(self.dsn, self.broker.bootstrap, ports)
        env.update(BILLING_ENV="test", LOG_FORMAT="json", LOG_LEVEL="INFO", INTERNAL_API_TOKEN=INTERNAL_TOKEN,
                   GATEWAY_TOKEN_SECRET="chaos-gateway-token-secret", DEV_CLOCK_FILE=str(run_dir / "dev-clock"),
                   SMTP_PORT=str(free_port()), SMS_GATEWAY_URL=f"http://127.0.0.1:{free_port()}/messages")
        (run_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.stack = Stack(env, ports, run_dir / "logs")
        self.accounts = [f"chaos{n}" for n in range(1, 5)]
        self.cabinet: dict[str, str] = {}

    def prepare(self) -> None:
        """Every process up; accounts without service lines (nothing is charged: balance = payments)
        and an operator."""
        for name in processes():
            self.stack.start(name)
        self.stack.wait_ready()
        headers = {"x-internal-token": INTERNAL_TOKEN, "x-actor": "chaos"}
        accounts = self.stack.url("accounts")
        for account in self.accounts:
            for path, body in (
                ("/internal/v1/clients", {"client_id": f"c-{account}", "kind": "person", "name": f"Chaos {account}",
                                          "payment_form": "prepaid", "contract_number": account,
                                          "contract_date": "2026-01-01"}),
                ("/internal/v1/accounts", {"account_id": account, "client_id": f"c-{account}",
                                           "opened_at": "2026-01-01T10:00:00+03:00", "opening_balance": "0.00"}),
            ):
                response = httpx.post(f"{accounts}{path}", json=body, headers=headers, timeout=10)
                assert response.status_code in (200, 201), response.text
        login, password = OPERATOR
        response = httpx.post(f"{accounts}/internal/v1/users", headers=headers, timeout=10, json={
            "user_id": login, "role": "operator", "login": login, "password": password,
            "must_change_password": False})
        assert response.status_code in (200, 201), response.text
        token = httpx.post(f"{self.stack.url('gateway')}/api/v1/auth/login", timeout=10,
                           json={"login": login, "password": password})
        assert token.status_code == 200, token.text
        self.cabinet = {"authorization": f"Bearer {token.json()['access_token']}"}
        deadline = time.monotonic() + 30  # the cabinet learns the accounts from the accounts topic
        while set(_balances(self.stack, self.accounts, self.cabinet)) != set(self.accounts):
            assert time.monotonic() < deadline, "the cabinet never learned the drill's accounts"
            time.sleep(0.2)

    def faults(self) -> list[str]:
        """Every HTTP service, the gateway's projector (where the Procfile runs one: the cabinet's
        read models stop moving while it is down), the broker and PostgreSQL."""
        projector = [name for name in ("gateway-projections",) if name in processes()]
        return [*service_ports({}), *projector, "broker", "postgres"]

    def _kill(self, fault: str) -> None:
        if fault == "broker":
            self.broker.kill()
        elif fault == "postgres":
            self.postgres.kill()
        else:
            self.stack.kill(fault)

    def _restart(self, fault: str) -> None:
        if fault == "broker":
            self.broker = start_broker(self.run_dir / "kafka", port=self.broker.port)
        elif fault == "postgres":
            self.postgres.start()
        else:
            self.stack.start(fault)
            self.stack.wait_ready([fault])

    def run(self, fault: str, before_s: float = 3, down_s: float = 3, after_s: float = 3,
            converge_timeout: float = 120) -> Row:
        """Load, kill -9 `fault`, keep loading while it is down, restart it, load a little more; then
        wait until every acknowledged payment is everywhere, and count."""
        with Load(self.stack, self.accounts, self.cabinet, self.rate, f"{fault}-{uuid.uuid4().hex[:6]}") as load:
            time.sleep(before_s)
            self._kill(fault)
            time.sleep(down_s)
            restarted = time.monotonic()
            self._restart(fault)
            time.sleep(after_s)
        acked = dict(load.acked)
        while True:
            audit = asyncio.run(_audit(self.dsn, acked, self.accounts))
            balances = _balances(self.stack, self.accounts, self.cabinet)
            sums = {a: audit["sums"].get(a) or Decimal("0") for a in self.accounts}
            agreed = (audit["behind"] == 0 and all(balances.get(a) == sums[a] for a in self.accounts)
                      and all(audit["funds"].get(a) == sums[a] for a in self.accounts)
                      and set(audit["gateway"]) == set(acked))
            if agreed or time.monotonic() - restarted > converge_timeout:
                break
            time.sleep(0.25)
        converge = time.monotonic() - restarted
        stored = sum(1 for x in acked if audit["stored"].get(x))
        everywhere = sum(1 for x in acked if audit["stored"].get(x) and audit["gateway"].get(x))
        duplicated = (sum(n - 1 for n in audit["stored"].values() if n > 1)
                      + sum(n - 1 for n in audit["gateway"].values() if n > 1))
        unexpected = list(load.unexpected)
        if not agreed:
            unexpected.append(f"not converged: behind={audit['behind']} balances={balances} store={sums}")
        return Row(fault, len(acked), stored, everywhere, len(acked) - everywhere, duplicated, converge,
                   load.outage_answers, unexpected)


@contextlib.contextmanager
def drill(rate: float = 10.0) -> Iterator[Drill]:
    """A drill in a folder of its own under `.run/` (not under /tmp/pytest-of-*: pytest resets that
    folder's mode when another session starts, and PostgreSQL runs as another user that must reach
    its data), removed afterwards."""
    (ROOT / ".run").mkdir(exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="chaos-", dir=ROOT / ".run"))
    run_dir.chmod(0o755)
    postgres = Postgres(run_dir / "postgres")
    started: Drill | None = None
    try:
        started = Drill(run_dir, postgres, start_broker(run_dir / "kafka"), rate)
        started.prepare()
        yield started
    finally:
        if started is not None:
            started.stack.stop()
            started.broker.stop()
        postgres.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
