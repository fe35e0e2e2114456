"""The cabinet's read pages through the gateway as production runs it, beside a bare Litestar route
and raw asyncpg primary-key reads measured in the same run (issue 15).

The stack: the Procfile's gateway, accounts and payments processes (granian, as production starts
them; the gateway's projector too when the Procfile runs one) on free ports, on a database of their
own beside the bench's and the bench's broker under a topic prefix of their own; the demo data
loaded through the services' APIs (shared.run), a few hundred payments registered for account
1015's history, then the demo subscriber logs in. Load: wrk (`-t2 -c50 --latency`, the
subscriber's token) for SECONDS per route after an unmeasured warm-up.
The floor: bench/bare_app.py under the same granian command. The database's side: one process per
gateway worker, RAW_CONNECTIONS asyncpg connections each (uvloop), reading rows shaped like a summary
by primary key for the same time. Only the public HTTP API is used, so any version of the gateway's read path runs.

BENCH_GATEWAY_BEFORE=<git ref> also measures the summary of the gateway at that commit of this
repository (exported with `git archive` into a temporary directory and started by the granian
command of that commit's Procfile, on the same stack, database and data), in the same run and
interleaved with the rest: the "before" of a change, printed beside its "after" (e.g. issue 10's
session check, issue 15's work).

`python -m bench.gateway`: this section alone. Without wrk, the bench installs it
(`apt-get install -y wrk`, Debian's package) and says so; if that fails the section is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import asyncpg
import httpx
from honcho.environ import parse_procfile

from bench.common import RUNS, SCALE
from bench.setup import BenchEnv, environment
from services.gateway.settings import GatewaySettings
from shared.db import quote_ident
from shared.devstack import database_dsn, free_port
from shared.run import DEMO_SUBSCRIBER, ROOT, load_demo_data, processes, stack_env, wait_ready

__all__ = ["CONNECTIONS", "SECONDS", "GatewayFigures", "Load", "run"]

CONNECTIONS = 50
THREADS = 2
SECONDS = max(2.0, 10.0 * SCALE)
WARMUP = max(0.5, 1.0 * SCALE)
ACCOUNT = DEMO_SUBSCRIBER[0]
HISTORY_PAYMENTS = 300
HISTORY_DAYS = 30
#: Raw reads get the gateway's resources: one process per granian worker, each with as many
#: connections as the gateway's pool has today (shared/service.py: max_size=20).
RAW_CONNECTIONS = 20
RAW_ROWS = 10_000
SERVICES = ("gateway", "accounts", "payments")
#: The Procfile's processes beside them that serve no HTTP (started when the Procfile has them).
WITHOUT_PORTS = ("gateway-projections",)
GATEWAY_FACTORY = "services.gateway.app:create_app"
BARE_FACTORY = "bench.bare_app:create_app"
#: A git ref whose gateway's summary is measured beside today's (module docstring); empty: none.
BEFORE = os.environ.get("BENCH_GATEWAY_BEFORE", "").strip()
#: Goals (issue 15), printed beside the figures, never asserted.
GOAL_RATE = 3000.0
GOAL_RAW_SHARE = 0.5
GOAL_P99_MS = 25.0


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Load:
    """One wrk run: requests per second and latency percentiles in milliseconds."""

    rate: float
    p50: float
    p99: float
    requests: int = 0
    errors: int = 0  # non-2xx/3xx answers and socket errors
    cpu_us: float = float("nan")  # the serving processes' CPU time per answered request (all cores)


@dataclass
class GatewayFigures:
    workers: int
    pool: str
    connections_seen: int
    wrk_note: str
    routes: dict[str, Load] = field(default_factory=dict)  # "bare", "raw" and each route's label
    paths: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --- wrk ------------------------------------------------------------------------------------------

def ensure_wrk() -> tuple[str | None, str]:
    """wrk's path and what was done to get it; (None, why) when it is missing and cannot be installed."""
    found = shutil.which("wrk")
    if found:
        return found, f"wrk at {found}"
    if not shutil.which("apt-get"):
        return None, "wrk is missing and there is no apt-get to install it"
    progress("wrk is missing: installing it (apt-get install -y wrk)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    done = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:  # a fresh machine may have no package lists yet
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        done = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
    found = shutil.which("wrk")
    if done.returncode != 0 or not found:
        last = (done.stderr or done.stdout).strip().splitlines()
        return None, f"wrk is missing and `apt-get install -y wrk` failed ({last[-1] if last else done.returncode})"
    progress(f"installed wrk at {found} (apt-get install -y wrk)")
    return found, f"wrk installed by this run (apt-get install -y wrk) at {found}"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Load:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rate and p50 and p99):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    requests = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return Load(float(rate.group(1)), _ms(p50.group(1)), _ms(p99.group(1)),
                int(requests.group(1)) if requests else 0, errors)


async def wrk(binary: str, url: str, seconds: float, headers: dict[str, str], cpu: Callable[[], float] | None = None
              ) -> Load:
    """One wrk run; with `cpu` (the serving processes' CPU seconds so far), the CPU per request."""
    args = [binary, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    used = cpu() if cpu else 0.0
    process = await asyncio.create_subprocess_exec(*args, url, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = await process.communicate()
    load = parse_wrk(output.decode(errors="replace"))
    if cpu and load.requests:
        load = dataclasses.replace(load, cpu_us=(cpu() - used) / load.requests * 1e6)
    return load


# --- raw asyncpg primary-key reads ---------------------------------------------------------------

RAW_TABLE = "bench_summary_rows"


async def _raw_table(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            f"CREATE TABLE {RAW_TABLE} (account_id text PRIMARY KEY, contract_number text NOT NULL,"
            " client_name text NOT NULL, payment_form text NOT NULL, status text NOT NULL,"
            " balance numeric(14, 2) NOT NULL, available numeric(14, 2) NOT NULL, opened_at timestamptz NOT NULL,"
            " lines jsonb NOT NULL, blocks jsonb NOT NULL)"
        )
        await conn.execute(
            f"INSERT INTO {RAW_TABLE} SELECT 'acc-' || i, i::text, 'Иванов Иван Иванович', 'prepaid', 'active',"
            " 1250.00, 1250.00, now(), '[{\"line_id\": \"isp-1\", \"kind\": \"internet\", \"tariff\":"
            " {\"name\": \"Безлимитный 50 Мбит/с, 1 мес\", \"monthly_fee\": \"25.00\"}, \"add_ons\": []}]',"  # noqa: RUF001
            " '{\"available\": 1, \"scheduled\": [], \"history\": []}' FROM generate_series(1, $1) AS i",
            RAW_ROWS,
        )
        await conn.execute(f"ANALYZE {RAW_TABLE}")
    finally:
        await conn.close()


async def _raw_reads(dsn: str, connections: int, start_at: float, seconds: float) -> tuple[int, list[float]]:
    conns = [await asyncpg.connect(dsn) for _ in range(connections)]
    query = f"SELECT * FROM {RAW_TABLE} WHERE account_id = $1"
    latencies: list[float] = []
    try:
        for conn in conns:  # prepared once per connection, as asyncpg's statement cache does
            await conn.fetchrow(query, "acc-1")
        await asyncio.sleep(max(0.0, start_at - time.time()))
        deadline = time.perf_counter() + seconds

        async def loop(conn: asyncpg.Connection) -> None:  # type: ignore[type-arg]
            rng = random.Random()
            while (began := time.perf_counter()) < deadline:
                await conn.fetchrow(query, f"acc-{rng.randint(1, RAW_ROWS)}")
                latencies.append((time.perf_counter() - began) * 1000)

        await asyncio.gather(*(loop(c) for c in conns))
    finally:
        for conn in conns:
            await conn.close()
    return len(latencies), latencies


def raw_worker(dsn: str, connections: int, start_at: float, seconds: float) -> tuple[int, list[float]]:
    """One process of raw readers on uvloop (as granian's workers run), started at `start_at`."""
    import uvloop

    return uvloop.run(_raw_reads(dsn, connections, start_at, seconds))


async def raw_load(pool: ProcessPoolExecutor, processes: int, dsn: str, seconds: float) -> Load:
    loop = asyncio.get_running_loop()
    start_at = time.time() + 1.0  # every process connected and prepared before the clock starts
    results = await asyncio.gather(*(loop.run_in_executor(pool, raw_worker, dsn, RAW_CONNECTIONS, start_at, seconds)
                                     for _ in range(processes)))
    latencies = sorted(ms for _, part in results for ms in part)
    if not latencies:
        return Load(0.0, float("nan"), float("nan"))
    cut = statistics.quantiles(latencies, n=100, method="inclusive")
    return Load(len(latencies) / seconds, cut[49], cut[98], len(latencies))


# --- the stack ------------------------------------------------------------------------------------

def shell_words(command: str, env: dict[str, str]) -> list[str]:
    """The words the shell makes of a Procfile command (its ${VAR:-default}s expanded)."""
    done = subprocess.run(["sh", "-c", f"printf '%s\\n' {command}"], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.splitlines()


def granian_workers(command: str, env: dict[str, str]) -> int:
    words = shell_words(command, env)
    for i, word in enumerate(words):
        if word == "--workers" and i + 1 < len(words):
            return int(words[i + 1])
        if word.startswith("--workers="):
            return int(word.split("=", 1)[1])
    return int(env.get("GRANIAN_WORKERS", "1"))  # granian's own default


def pool_setting(env: dict[str, str]) -> str:
    """The gateway's pool size settings, if it has any (else the size is fixed in the code)."""
    found = [f"{name.upper()}={env.get(name.upper(), spec.default)}"
             for name, spec in GatewaySettings.model_fields.items() if "pool" in name]
    return ", ".join(found) if found else "no pool setting in GatewaySettings"


@dataclass
class Stack:
    urls: dict[str, str]
    env: dict[str, str]
    logs: Path
    started: list[subprocess.Popen[bytes]]
    groups: dict[str, int] = field(default_factory=dict)  # each process's name: its process group

    def start(self, name: str, command: str, extra: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.started.append(subprocess.Popen(command, shell=True, cwd=cwd, env={**self.env, **(extra or {})},
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        self.groups[name] = self.started[-1].pid

    def cpu_seconds(self, name: str) -> float:
        """CPU time (user and system) used so far by every live process of `name`'s group: granian's
        main process and its workers. Less sensitive to other work on the machine than req/s and
        latencies, which wait for the cores it takes."""
        group, total = self.groups[name], 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == group:  # pgrp
                    total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        return "\n".join(f"--- {p.stem}\n{p.read_text(errors='replace')[-2000:]}" for p in self.logs.glob("*.log"))


@contextlib.asynccontextmanager
async def running_stack(env: BenchEnv) -> AsyncIterator[Stack]:
    """The gateway, accounts and payments processes of the Procfile on their own database and topics."""
    name = f"{env.database}_gw"
    admin = await asyncpg.connect(env.dsn)
    await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
    logs = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    ports = {service: free_port() for service in SERVICES}
    stack_vars = stack_env(database_dsn(env.dsn, name), env.bootstrap, ports)
    # As production runs: JSON logs at INFO, the system clock (no dev clock file); only the tests'
    # environment name, so the dev secrets stand (prod would refuse them) and no notifications service.
    stack_vars.update(BILLING_ENV="test", LOG_LEVEL="INFO", LOG_FORMAT="json", DEV_CLOCK_FILE="",
                      KAFKA_TOPIC_PREFIX=f"bench-{uuid.uuid4().hex[:8]}.")
    stack = Stack({s: f"http://127.0.0.1:{p}" for s, p in ports.items()}, stack_vars, logs, [])
    try:
        commands = processes()
        for service in SERVICES:
            stack.start(service, commands[service])
        for process in WITHOUT_PORTS:  # the gateway's projector, where the Procfile runs one
            if process in commands:
                stack.start(process, commands[process])
        if not await asyncio.to_thread(wait_ready, ports, 90):
            raise RuntimeError(f"the stack did not become ready:\n{stack.tail()}")
        yield stack
    finally:
        for process in stack.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in stack.started:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        finally:
            await admin.close()
        shutil.rmtree(logs, ignore_errors=True)


async def register_history(stack: Stack, count: int) -> str:
    """`count` cash payments for the account from HISTORY_DAYS - 1 days ago to yesterday (inside the
    page's from..to whatever the billing time zone); the newest one's external id."""
    now = datetime.now(UTC)
    headers = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"], "x-actor": "bench"}
    tag = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=stack.urls["payments"], headers=headers, timeout=30) as client:

        async def one(i: int) -> None:
            paid_at = now - timedelta(days=HISTORY_DAYS - 1) + timedelta(days=HISTORY_DAYS - 2) * i / max(1, count - 1)
            answer = await client.post("/internal/v1/payments", json={
                "account_id": ACCOUNT, "amount": "10.00", "method": "cash",
                "external_id": f"bench-{tag}-{i:04d}", "paid_at": paid_at.isoformat()})
            if answer.status_code >= 400:
                raise RuntimeError(f"registering a payment answered {answer.status_code}: {answer.text}")

        for i in range(count):  # one after another: the account's payments are one stream
            await one(i)
    return f"bench-{tag}-{count - 1:04d}"


async def login(stack: Stack) -> dict[str, str]:
    user, password = DEMO_SUBSCRIBER
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(f"{stack.urls['gateway']}/api/v1/auth/login",
                                   json={"login": user, "password": password})
    answer.raise_for_status()
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


async def wait_for(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.2)
    return False


def _answers(url: str, headers: dict[str, str], needle: str = "") -> bool:
    try:
        answer = httpx.get(url, headers=headers, timeout=5)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and needle in answer.text


async def gateway_connections(dsn: str, database: str, until: asyncio.Event) -> int:
    """The most connections the gateway's processes held open to PostgreSQL while `until` was unset."""
    conn = await asyncpg.connect(dsn)
    most = 0
    try:
        while not until.is_set():
            most = max(most, await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'billing-gateway'",
                database))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until.wait(), 0.5)
    finally:
        await conn.close()
    return int(most)


def export_tree(ref: str, into: Path) -> str:
    """The repository's files at `ref` in `into`; the commit's short id and subject."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return subprocess.run(["git", "log", "-1", "--format=%h %s", ref], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


async def start_before(stack: Stack, ref: str) -> tuple[str, str]:
    """The gateway at `ref` on a port of its own beside the stack's, started by that commit's own
    Procfile command (so a change of granian's options is measured too): its base URL and the commit."""
    tree = Path(tempfile.mkdtemp(prefix="bench-gateway-before-"))
    commit = await asyncio.to_thread(export_tree, ref, tree)
    command = dict(parse_procfile((tree / "Procfile").read_text()).processes)["gateway"]
    port = free_port()
    # Its own files first on the import path (before the virtualenv's path to this checkout).
    stack.start("before", command, {"GATEWAY_HTTP_PORT": str(port), "PYTHONPATH": str(tree)}, cwd=tree)
    url = f"http://127.0.0.1:{port}"
    if not await wait_for(lambda: _answers(f"{url}/health/ready", {}), 90):
        raise RuntimeError(f"the gateway at {ref} did not become ready:\n{stack.tail()}")
    return url, commit


def measuring_order(names: list[str], run_number: int) -> list[str]:
    """The rows of one run in the order they are measured: the before summary right beside today's,
    first in one run and second in the next. Measured last in every run, the same code's summary
    came out 1.7 times slower than today's (786 against 1,331 req/s, load average 14 to 17): which
    of two rows goes first matters on a loaded machine."""
    if "summary_before" not in names or "summary" not in names:
        return names
    rest = [n for n in names if n != "summary_before"]
    pair = ["summary_before", "summary"] if run_number % 2 == 0 else ["summary", "summary_before"]
    at = rest.index("summary")
    return [*rest[:at], *pair, *rest[at + 1:]]


def _median(loads: list[Load]) -> Load:
    return Load(statistics.median(x.rate for x in loads), statistics.median(x.p50 for x in loads),
                statistics.median(x.p99 for x in loads), sum(x.requests for x in loads), sum(x.errors for x in loads),
                statistics.median(x.cpu_us for x in loads))


async def run(env: BenchEnv) -> GatewayFigures | str:
    """The figures, or why the section was skipped."""
    binary, wrk_note = await asyncio.to_thread(ensure_wrk)
    if binary is None:
        return wrk_note
    load_before = os.getloadavg()[0]
    async with running_stack(env) as stack:
        progress("gateway: stack up; demo data, payments for the history")
        await asyncio.to_thread(load_demo_data, {s: int(u.rsplit(":", 1)[1]) for s, u in stack.urls.items()}, stack.env,
                                True)  # 1015's requests: accounts' and payments'; none of telephony's
        newest = await register_history(stack, HISTORY_PAYMENTS)
        headers = await login(stack)
        logged_in = time.monotonic()
        today = datetime.now(UTC).date()
        base = f"{stack.urls['gateway']}/api/v1/accounts/{ACCOUNT}"
        paths = {
            "summary": "/summary",
            "balance": "/balance",
            "history": f"/payments?from={today - timedelta(days=HISTORY_DAYS)}&to={today}&limit=10",
        }
        notes = [f"load average (1 min) before the section: {load_before:.2f} on {os.cpu_count()} CPUs"
                 " (other work on the machine shares them with the stack, wrk and the readers)"]
        if not await wait_for(lambda: _answers(base + paths["history"], headers, newest), 60):
            notes.append(f"the history did not show the newest of the {HISTORY_PAYMENTS} payments within 60 s")
        for name, path in paths.items():
            if not await asyncio.to_thread(_answers, base + path, headers):
                notes.append(f"{name}: {path} did not answer 200 before the load")
        gateway_command = processes()["gateway"]
        workers = granian_workers(gateway_command, stack.env)
        bare_port = free_port()
        bare_url = f"http://127.0.0.1:{bare_port}/api/v1/accounts/{ACCOUNT}/summary"
        stack.start("bare", gateway_command.replace(GATEWAY_FACTORY, BARE_FACTORY),
                    {"GATEWAY_HTTP_PORT": str(bare_port)})
        if not await wait_for(lambda: _answers(bare_url, {}), 30):
            raise RuntimeError(f"the bare app did not answer:\n{stack.tail()}")
        before_label = ""
        if BEFORE:
            progress(f"gateway: starting the gateway at {BEFORE} beside it")
            before_url, commit = await start_before(stack, BEFORE)
            before_label = f"GET /api/v1/accounts/{ACCOUNT}/summary at {commit.split()[0]} (before)"
            notes.append(f"before: the gateway at {BEFORE} = {commit}, same stack, database and data")
        gw_database = f"{env.database}_gw"
        await _raw_table(database_dsn(env.dsn, gw_database))
        raw_dsn = database_dsn(env.dsn, gw_database)

        targets: dict[str, tuple[str, dict[str, str]]] = {
            "bare": (bare_url, {}), **{n: (base + p, headers) for n, p in paths.items()}}
        if before_label:
            targets["summary_before"] = (f"{before_url}/api/v1/accounts/{ACCOUNT}/summary", headers)
        loads: dict[str, list[Load]] = {name: [] for name in targets} | {"raw": []}
        seen = 0
        context = get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            progress("gateway: warming up")
            for url, sent in targets.values():
                await wrk(binary, url, WARMUP, sent)
            await raw_load(pool, workers, raw_dsn, WARMUP)
            for run_number in range(RUNS):  # interleaved, so drift hits every row alike
                progress(f"gateway: run {run_number + 1}/{RUNS}")
                if time.monotonic() - logged_in > 600:  # access tokens live 15 min; logins are rate-limited
                    headers.update(await login(stack))
                    logged_in = time.monotonic()
                for name in measuring_order(list(targets), run_number):
                    url = targets[name][0]
                    sent = {} if name == "bare" else headers
                    if name == "bare":
                        loads[name].append(await wrk(binary, url, SECONDS, sent, partial(stack.cpu_seconds, "bare")))
                        loads["raw"].append(await raw_load(pool, workers, raw_dsn, SECONDS))
                        continue
                    if name == "summary_before":  # its connections are not today's gateway's
                        loads[name].append(await wrk(binary, url, SECONDS, sent, partial(stack.cpu_seconds, "before")))
                        continue
                    stop = asyncio.Event()
                    watch = asyncio.create_task(gateway_connections(env.dsn, gw_database, stop))
                    loads[name].append(await wrk(binary, url, SECONDS, sent, partial(stack.cpu_seconds, "gateway")))
                    stop.set()
                    seen = max(seen, await watch)
    notes.append(f"load average (1 min) at the end of the section: {os.getloadavg()[0]:.2f}")
    labels = {name: f"GET /api/v1/accounts/{ACCOUNT}{p}" for name, p in paths.items()}
    if before_label:
        labels["summary_before"] = before_label
    return GatewayFigures(workers, pool_setting(stack.env), seen, wrk_note,
                          {name: _median(values) for name, values in loads.items()}, labels, notes)


async def _main() -> None:
    from bench.report import gateway_table  # report imports this module's constants

    async with environment() as env:
        progress(f"database {env.database}; Kafka: {env.kafka}")
        figures = await run(env)
    print("\n".join(gateway_table(figures)))


if __name__ == "__main__":  # `python -m bench.gateway`: this section alone
    asyncio.run(_main())
