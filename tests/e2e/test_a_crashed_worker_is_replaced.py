"""A service's worker process that dies (kill -9: a crash, the OOM killer) is replaced by granian;
the service answers again and its process never exits (issue 10: it used to take the stack down)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import Stack


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.extend(int(child) for child in children)
    return found


def _descendants(pid: int) -> list[int]:
    every, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            every.append(child)
            todo.append(child)
    return every


def test_the_gateways_worker_killed_with_sigkill_is_replaced(stack: Stack) -> None:
    service = stack.processes["gateway"]
    live = f"{stack.urls['gateway']}/health/live"
    assert httpx.get(live).status_code == 200
    workers = [pid for pid in _descendants(service.pid) if not _children(pid)]
    assert workers, "no granian worker found"
    os.kill(workers[-1], signal.SIGKILL)

    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(live, timeout=1).status_code == 200 and workers[-1] not in _descendants(service.pid):
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the worker was not replaced"
        time.sleep(0.2)
    assert service.poll() is None  # the service process lives on
    replaced = [pid for pid in _descendants(service.pid) if not _children(pid)]
    assert replaced and workers[-1] not in replaced
