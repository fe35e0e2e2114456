"""Ops rebuild the cabinet's payments read model while subscribers read it and payments keep coming:
no request fails, no answer goes back in time, the swap is atomic (a reader sees the old tables or
the new ones, both whole), and the rebuilt model holds every payment. The rebuild, run as ops run it
(`make replay ARGS='rebuild ...'`, here without a terminal), logs its progress."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
from decimal import Decimal

import httpx

from shared.run import ROOT
from tests.e2e.conftest import Stack, poll

PROJECTION = "services.gateway.projections.cabinet_payments:CabinetPayments"


def register(stack: Stack, client: httpx.Client, n: int) -> int:
    response = client.post(
        f"{stack.urls['payments']}/internal/v1/payments",
        json={"account_id": "1015", "amount": "10.00", "method": "cash", "external_id": f"rebuild-{n}",
              "paid_at": "2026-10-20T10:00:00+03:00"},
        headers={"x-internal-token": stack.env["INTERNAL_API_TOKEN"]},
    )
    return response.status_code


def test_the_cabinet_answers_throughout_a_rebuild_and_never_goes_back(stack: Stack) -> None:
    stack.load_demo_data()
    cabinet = stack.operator()
    demo = poll(lambda: httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/balance", headers=cabinet),
                lambda r: r.status_code == 200 and Decimal(r.json()["paid_total"]) > 0)
    before = Decimal(demo.json()["paid_total"])  # the demo data's own payment
    with httpx.Client(timeout=10) as client:
        assert {register(stack, client, n) for n in range(200)} == {201}
    stop = threading.Event()
    written: list[int] = []
    seen: dict[int, list[tuple[str, Decimal]]] = {0: [], 1: []}  # per reader, in the order it saw them
    failures: list[str] = []

    def writer() -> None:
        with httpx.Client(timeout=10) as client:
            n = 200
            while not stop.is_set():
                status = register(stack, client, n)
                written.append(status)
                if status != 201:
                    failures.append(f"payment {n}: {status}")
                n += 1

    def reader(index: int) -> None:
        with httpx.Client(timeout=10, headers=cabinet) as client:
            while not stop.is_set():
                history = client.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/payments",
                                     params={"from": "2026-10-01", "to": "2026-10-31", "limit": 1})
                balance = client.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/balance")
                for what, response, figure in (("history", history, "total"), ("balance", balance, "paid_total")):
                    if response.status_code != 200:
                        failures.append(f"{what}: {response.status_code} {response.text[:200]}")
                    else:
                        seen[index].append((what, Decimal(str(response.json()[figure]))))

    threads = [threading.Thread(target=writer), *(threading.Thread(target=reader, args=(i,)) for i in seen)]
    for thread in threads:
        thread.start()
    try:
        outputs = []
        for _ in range(3):
            rebuilt = subprocess.run([sys.executable, "-m", "shared.ops", "rebuild", PROJECTION], cwd=ROOT,
                                     env=stack.env, capture_output=True, text=True, timeout=300)
            assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
            outputs.append(rebuilt.stdout + rebuilt.stderr)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)

    assert failures == []
    for index, answers in seen.items():
        for what in ("history", "balance"):
            figures = [figure for kind, figure in answers if kind == what]
            assert len(figures) > 10
            assert all(later >= earlier for earlier, later in itertools.pairwise(figures)), (index, what)
    # Progress as log lines (no terminal here): events done of the total, the rate, the time left.
    assert all("ops.progress" in out and "events/s" in out and "ETA" in out and "swapped in" in out
               for out in outputs), outputs[0]
    payments = 200 + written.count(201)
    final = poll(lambda: httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/payments", headers=cabinet,
                                   params={"from": "2026-10-01", "to": "2026-10-31", "limit": 1}),
                 lambda r: r.status_code == 200 and r.json()["total"] == payments)
    assert final.json()["total"] == payments
    balance = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/1015/balance", headers=cabinet).json()
    assert Decimal(balance["paid_total"]) == before + Decimal("10.00") * payments
