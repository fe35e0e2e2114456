"""Replays never re-fire side effects: after SMS, e-mails, an autopay charge and timers have fired
on a running system, ops republish every store to Kafka and rebuild every projection that can be
rebuilt; once every consumer group has caught up and the system is quiet again, no SMS or e-mail
was sent again, no autopay charge repeated, no timer fired again.

Notifications are made to act on old events here (`STALE_EVENT_AFTER_H` of ten years), so the
republished events reach the triggers without the staleness rule hiding a second send."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from shared.ops.inspect import consumer_lag
from shared.run import ROOT
from tests.conftest import KafkaSpace
from tests.e2e.conftest import poll, running_stack

STORES = ("accounts", "payments", "notifications")
ALL_SERVICES = (*STORES, "invoicing", "telephony")
REBUILDABLE = (
    "services.gateway.projections.cabinet_payments:CabinetPayments",
    "services.gateway.projections.cabinet_accounts:CabinetAccounts",
    "services.gateway.projections.messages:CabinetMessages",
    "services.payments.projections.account_facts:AccountFactsProjection",
    "services.accounts.projections.available_funds:AvailableFunds",
)


async def side_effects(database_url: str, logs: dict[str, Path]) -> dict[str, Any]:
    """Everything that must not happen twice, as it stands now."""
    conn = await asyncpg.connect(database_url)
    try:
        timers = {f"{s}:{r['timer_key']}": (r["fired_at"], r["attempts"]) for s in STORES for r in await conn.fetch(
            f"SELECT timer_key, fired_at, attempts FROM {s}.timers WHERE fired_at IS NOT NULL")}
        return {
            "sms": logs["sms-sink"].read_text(errors="replace").count("[sms-sink] to "),
            "email": logs["smtp-sink"].read_text(errors="replace").count("[smtp-sink] to "),
            "deliveries": [tuple(r) for r in await conn.fetch(
                "SELECT message_id, status, attempts FROM notifications.deliveries ORDER BY message_id")],
            "charges": await conn.fetchval("SELECT count(*) FROM payments.sandbox_charges"),
            "autopay_charged": await conn.fetchval(
                "SELECT count(*) FROM payments.events WHERE event_type = 'AutopayCharged'"),
            "timers": timers,
        }
    finally:
        await conn.close()


async def settled(database_url: str, logs: dict[str, Path], kafka: KafkaSpace, timeout: float = 180.0) -> dict[str, Any]:
    """The side effects once the system is quiet: every service's topic consumed by every group, no
    account waiting in invoicing's posting queue, and two looks 3 s apart agree. (The
    month the clock jumped over is still being posted and checked for a while on a loaded machine:
    a lull of 3 s alone was taken for quiet, and its later, legitimate effects for fired twice.)"""
    deadline = time.monotonic() + timeout
    before = await side_effects(database_url, logs)
    while True:
        await asyncio.sleep(3)
        now = await side_effects(database_url, logs)
        if (now == before and await quiet(database_url, kafka)) or time.monotonic() > deadline:
            return now
        before = now


async def quiet(database_url: str, kafka: KafkaSpace) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        waiting = await conn.fetchval("SELECT count(*) FROM invoicing.posting_queue")
    finally:
        await conn.close()
    return waiting == 0 and await caught_up(kafka, ALL_SERVICES)


def ops(stack_env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "shared.ops", *args], cwd=ROOT, env=stack_env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def caught_up(kafka: KafkaSpace, services: tuple[str, ...] = STORES) -> bool:
    lag = await consumer_lag(kafka.bootstrap, [kafka.topic(f"billing.{s}.events") for s in services])
    return bool(lag) and all(row["lag"] == 0 for row in lag)


def test_republishing_every_store_and_rebuilding_every_projection_fires_nothing_twice(
    database_url: str, kafka: KafkaSpace, tmp_path: Path, monkeypatch: Any,
) -> None:
    monkeypatch.setenv("STALE_EVENT_AFTER_H", str(24 * 3650))
    with running_stack(database_url, kafka, tmp_path) as stack:
        stack.env["STALE_EVENT_AFTER_H"] = str(24 * 3650)
        stack.load_demo_data()
        internal = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"], "x-actor": "e2e"}
        enabled = httpx.put(f"{stack.urls['payments']}/internal/v1/accounts/2002/autopay",
                            json={"provider": "sandbox", "method_token": "sandbox-card-4242", "cap": None},
                            headers={**internal, "idempotency-key": "e2e-autopay-2002"})
        assert enabled.status_code == 200, enabled.text
        # A month on: the autopay timer charges 2002's debt and next fee; messages go out.
        ops(stack.env, "clock", "advance", "28d")
        charged = poll(lambda: asyncio.run(side_effects(database_url, stack.logs)),
                       lambda effects: effects["charges"] >= 1 and effects["email"] + effects["sms"] >= 1,
                       timeout=90)
        assert charged["charges"] >= 1, charged
        before = asyncio.run(settled(database_url, stack.logs, kafka))
        assert before["autopay_charged"] >= 1 and before["timers"] and before["deliveries"]
        assert before["email"] + before["sms"] >= 1

        for service in STORES:
            assert "republished" in ops(stack.env, "republish", service, "--from", "1")
        for projection in REBUILDABLE:
            assert "swapped in" in ops(stack.env, "rebuild", projection)
        poll(lambda: asyncio.run(caught_up(kafka)), lambda done: done, timeout=120)
        after = asyncio.run(settled(database_url, stack.logs, kafka))

    assert after == before
