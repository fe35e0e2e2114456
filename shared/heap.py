"""The garbage collector of a long-running service process, tuned for its request path.

A service builds most of its objects once at start-up (modules, the app, routes, pools, settings)
and they live as long as the process. CPython's cyclic collector nevertheless walks them on every
older-generation collection; under load those collections come every few hundred requests and each
one stalls the event loop for every request in flight: what the slowest answers wait for.
`frozen_heap` (a Litestar lifespan, listed last so everything else has started) moves what exists
after start-up out of the collector's reach (`gc.freeze()`) and collects the young generation less
often (`gc.set_threshold`): a request's garbage is almost all freed by reference counting; cycles
are still collected, later and in fewer, larger rounds of young objects only.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["GC_THRESHOLDS", "frozen_heap", "settle_heap"]

#: Young-generation allocations between collections, and the two older generations' multipliers
#: (CPython's defaults: 700, 10, 10). Measured: README "Cabinet read path".
GC_THRESHOLDS = (50_000, 20, 100)


def settle_heap(thresholds: tuple[int, int, int] = GC_THRESHOLDS) -> None:
    """Collect once, then keep everything alive now out of later collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


@asynccontextmanager
async def frozen_heap(_: object) -> AsyncIterator[None]:
    """For the app's life; on the way out the collector is as it was (tests start many apps)."""
    before = gc.get_threshold()
    settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
