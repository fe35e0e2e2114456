"""`make run`: the whole system on embedded defaults, under honcho, until Ctrl-C.

PostgreSQL and Kafka come from `shared.devstack` (given, local, or embedded); the processes come
from the repository's `Procfile`; demo data is loaded through the services' own APIs
(`deploy/demo/requests.json`), so it follows every rule a real request does."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from honcho.environ import parse_procfile
from honcho.manager import Manager

from shared.db import ensure_database
from shared.devkafka import KAFKA_VERSION
from shared.devstack import database_dsn, port_open, resolve_postgres, start_broker
from shared.ops.databases import STACK_FILE

__all__ = [
    "DEMO_OPERATOR",
    "DEMO_SUBSCRIBER",
    "ROOT",
    "load_demo_data",
    "main",
    "processes",
    "service_ports",
    "stack_env",
]

ROOT = Path(__file__).resolve().parent.parent
DEV_INTERNAL_TOKEN = "dev-internal-token"
#: Demo-only logins loaded from deploy/demo/requests.json (README, "Demo logins").
DEMO_SUBSCRIBER = ("1015", "demo-1015-pass")
DEMO_OPERATOR = ("operator", "demo-operator-pass")


def processes() -> dict[str, str]:
    procfile = parse_procfile((ROOT / "Procfile").read_text())
    return dict(procfile.processes)


#: Every HTTP process of the stack and its default port (`<NAME>_HTTP_PORT` overrides it).
DEFAULT_PORTS = {
    "gateway": 8100,
    "payments": 8101,
    "accounts": 8102,
    "invoicing": 8103,
    "telephony": 8104,
    "notifications": 8105,
}


def service_ports(env: dict[str, str]) -> dict[str, int]:
    """Ports of the HTTP services the Procfile starts (each answers /health/ready)."""
    started = processes()
    return {
        name: int(env.get(f"{name.upper()}_HTTP_PORT", port))
        for name, port in DEFAULT_PORTS.items()
        if name in started
    }


def stack_env(database_url: str, bootstrap: str, ports: dict[str, int]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        BILLING_ENV=env.get("BILLING_ENV", "dev"),
        LOG_FORMAT=env.get("LOG_FORMAT", "console"),
        INTERNAL_API_TOKEN=env.get("INTERNAL_API_TOKEN", DEV_INTERNAL_TOKEN),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        DEV_CLOCK_FILE=env.get("DEV_CLOCK_FILE", str(ROOT / ".run" / "dev-clock")),
        # A worker that dies (a crash, the OOM killer) is replaced; the service stays up.
        GRANIAN_RESPAWN_FAILED_WORKERS=env.get("GRANIAN_RESPAWN_FAILED_WORKERS", "true"),
        GRANIAN_RESPAWN_INTERVAL=env.get("GRANIAN_RESPAWN_INTERVAL", "1"),
    )
    for name, port in ports.items():
        env[f"{name.upper()}_HTTP_PORT"] = str(port)
        # How the services find one another (`ACCOUNTS_URL`, `NOTIFICATIONS_URL`, ...).
        env.setdefault(f"{name.upper()}_URL", f"http://127.0.0.1:{port}")
    return env


def wait_ready(ports: dict[str, int], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    pending = dict(ports)
    while pending and time.monotonic() < deadline:
        for name, port in list(pending.items()):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    return not pending


def _demo_chains(requests: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The demo requests as independent chains, each in file order: a client's starts at its
    `POST /internal/v1/clients` and runs to the next client's (the requests after the last client,
    to other services, stay in the last chain and wait there as they would anyway)."""
    chains: list[list[dict[str, Any]]] = []
    for request in requests:
        if not chains or (request["service"] == "accounts" and request["method"] == "POST"
                          and request["path"] == "/internal/v1/clients"):
            chains.append([])
        chains[-1].append(request)
    return chains


def load_demo_data(ports: dict[str, int], env: dict[str, str], only_running: bool = False) -> None:
    """The demo data through the services' APIs; `only_running`: just the requests to the services
    in `ports` (a partial stack, as the gateway bench starts). The clients' chains are loaded side
    by side: one after another they took 15 s of every end-to-end test's set-up on a loaded machine."""
    requests = [request for request in json.loads((ROOT / "deploy" / "demo" / "requests.json").read_text())
                if not only_running or request["service"] in ports]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for loaded in [pool.submit(_load_chain, chain, ports, env) for chain in _demo_chains(requests)]:
            loaded.result()


def _load_chain(chain: list[dict[str, Any]], ports: dict[str, int], env: dict[str, str]) -> None:
    for request in chain:
        for _ in range(20):  # a service may not know an account opened a moment ago yet
            response = httpx.request(
                request["method"],
                f"http://127.0.0.1:{ports[request['service']]}{request['path']}",
                json=request["body"],
                headers={"x-internal-token": env["INTERNAL_API_TOKEN"], "x-actor": "demo-loader"},
                timeout=10,
            )
            if response.status_code != 404:
                break
            time.sleep(0.5)
        if response.status_code >= 400:
            print(f"demo data: {request['path']} answered {response.status_code}: {response.text}")


def banner(ports: dict[str, int], env: dict[str, str]) -> str:
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    payments = f"http://127.0.0.1:{ports['payments']}"
    login, password = DEMO_SUBSCRIBER
    operator, operator_password = DEMO_OPERATOR
    return f"""
================================================================================
 Billing dev stack is up (Ctrl-C stops everything)
   cabinet   {gateway}/cabinet   (the web cabinet: log in as below)
   gateway   {gateway}   OpenAPI: {gateway}/schema
   payments  {payments}   (internal API)
   kafka     {env['KAFKA_BOOTSTRAP_SERVERS']}     postgres: {env['DATABASE_URL']}

 Demo logins (demo data only; see README): subscriber {login} / {password},
 operator {operator} / {operator_password}, more in README.

 Log in as the demo subscriber and look at the account:
   TOKEN=$(curl -s -X POST {gateway}/api/v1/auth/login -H 'content-type: application/json' \\
     -d '{{"login": "{login}", "password": "{password}"}}' \\
     | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
   curl -s {gateway}/api/v1/accounts/1015/summary -H "authorization: Bearer $TOKEN"
 Register a payment (operator, cash) and see it in the cabinet:
   curl -s -X POST {payments}/internal/v1/payments \\
     -H 'x-internal-token: {env['INTERNAL_API_TOKEN']}' -H 'content-type: application/json' \\
     -d '{{"account_id": "1015", "amount": "150.00", "method": "cash",
          "external_id": "cash-2026-0001", "paid_at": "2026-11-20T10:00:00+03:00"}}'
   curl -s '{gateway}/api/v1/accounts/1015/payments?from=2026-11-01&to=2026-11-30&limit=10' \\
     -H "authorization: Bearer $TOKEN"
================================================================================
"""


def main() -> int:
    run_dir = ROOT / ".run"
    admin_dsn, pg_server = resolve_postgres(run_dir)
    database_url = os.environ.get("DATABASE_URL") or database_dsn(admin_dsn, "billing")
    if not os.environ.get("DATABASE_URL"):
        asyncio.run(ensure_database(admin_dsn, "billing"))
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        run_dir.mkdir(exist_ok=True)
        broker = start_broker(run_dir / "kafka", None if port_open("127.0.0.1", 9092) else 9092,
                              log_path=run_dir / "kafka.log")
        print(f"Apache Kafka {KAFKA_VERSION} on {broker.bootstrap} started in {broker.started_in:.1f} s"
              f" (data in .run/kafka, log in .run/kafka.log)", flush=True)
        bootstrap = broker.bootstrap
    ports = service_ports(dict(os.environ))
    env = stack_env(database_url, bootstrap, ports)
    # `make replay` finds this stack by it (shared/ops/databases.py); no secrets in it.
    STACK_FILE.write_text(f"DATABASE_URL={database_url}\nKAFKA_BOOTSTRAP_SERVERS={bootstrap}\n")
    manager = Manager()
    for name, cmd in processes().items():
        manager.add_process(name, cmd, env=env, cwd=str(ROOT))

    def announce() -> None:
        if wait_ready(ports):
            load_demo_data(ports, env)
            print(banner(ports, env), flush=True)
        else:
            print("some services did not become ready; see their output above", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    try:
        manager.loop()
    finally:
        STACK_FILE.unlink(missing_ok=True)
        if broker is not None:
            broker.stop()
        if pg_server is not None:
            pg_server.cleanup()  # type: ignore[attr-defined]
    return int(manager.returncode or 0)


if __name__ == "__main__":
    raise SystemExit(main())
