"""The whole system as processes on a broker of its own, killed with kill -9 under load and
restarted: every stored event reaches every read model that follows its topic."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import asyncpg
import httpx

from shared.devstack import start_broker
from tests.conftest import KafkaSpace
from tests.e2e.conftest import poll, running_stack

ACCOUNTS = ("1015", "2002", "3003", "3004")
#: The projections reading billing.payments.events, by the schema that keeps them.
PAYMENT_READERS = {"gateway": "gateway.cabinet_payments", "accounts": "accounts.available_funds",
                   "notifications": "notifications.triggers"}


async def behind(database_url: str) -> dict[str, int]:
    """Per projection: payment streams whose applied version is below the store's head."""
    conn = await asyncpg.connect(database_url)
    try:
        heads = {r["stream_id"]: r["v"] for r in await conn.fetch(
            "SELECT stream_id, max(stream_version) AS v FROM payments.events GROUP BY stream_id")}
        missing = {}
        for schema, projection in PAYMENT_READERS.items():
            applied = {r["stream_id"]: r["stream_version"] for r in await conn.fetch(
                f"SELECT stream_id, stream_version FROM {schema}.projection_streams WHERE projection = $1",
                projection)}
            missing[projection] = sum(1 for stream, head in heads.items() if applied.get(stream, 0) < head)
        return missing
    finally:
        await conn.close()


async def count(database_url: str, table_and_filter: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table_and_filter}"))
    finally:
        await conn.close()


def send_payments(url: str, token: str, count: int, per_second: float, answers: list[int]) -> None:
    with httpx.Client(timeout=10) as client:
        started = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, started + n / per_second - time.monotonic()))
            response = client.post(f"{url}/internal/v1/payments", headers={"x-internal-token": token}, json={
                "account_id": ACCOUNTS[n % len(ACCOUNTS)], "amount": "1.00", "method": "cash",
                "external_id": f"load-{n}", "paid_at": "2026-11-20T10:00:00+03:00"})
            answers.append(response.status_code)


def test_a_broker_killed_under_load_loses_no_event_from_any_read_model(database_url: str, tmp_path: Path) -> None:
    broker = start_broker(tmp_path / "kafka")
    try:
        with running_stack(database_url, KafkaSpace(broker.bootstrap, ""), tmp_path) as stack:
            stack.load_demo_data()
            cabinet = stack.operator()
            balance = f"{stack.urls['gateway']}/api/v1/accounts/1015/balance"
            answers: list[int] = []
            load = threading.Thread(target=send_payments, args=(
                stack.urls["payments"], stack.env["INTERNAL_API_TOKEN"], 400, 40.0, answers))
            load.start()
            time.sleep(3)
            broker.kill()  # kill -9, mid-load
            time.sleep(3)
            # The cabinet still answers, and says its read models are not known to be current.
            during = httpx.get(balance, headers=cabinet)
            assert during.status_code == 200
            assert during.headers["x-read-model-lag"] == "unknown" or float(during.headers["x-read-model-age"]) > 1
            broker = start_broker(tmp_path / "kafka", port=broker.port)
            load.join()
            assert answers.count(201) == 400  # commands never needed the broker

            deadline = time.monotonic() + 120
            while any((missing := asyncio.run(behind(database_url))).values()):
                assert time.monotonic() < deadline, f"read models missing events: {missing}"
                time.sleep(0.5)
            assert asyncio.run(count(database_url, "gateway.cabinet_payments WHERE external_id LIKE 'load-%'")) == 400
            after = poll(lambda: httpx.get(balance, headers=cabinet),
                         lambda r: r.headers["x-read-model-lag"] == "0", timeout=30)
            assert after.headers["x-read-model-lag"] == "0", dict(after.headers)
            assert after.headers["x-read-model-age"] == "0.0"
    finally:
        broker.stop()
