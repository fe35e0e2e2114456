"""The invoicing service's background workers beside its HTTP API: the posting worker (accounts
queued by facts and by the day timer), the bill-run worker (a batch at a time, progress logged) and
the document worker (ordered PDF/XLSX documents, invoices to mail and reports of payments and
charges, rendered off the event loop).
Several processes may run them: both take their work with row locks (SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from services.invoicing.adapters.documents import RENDERERS
from services.invoicing.adapters.documents.report import REPORT_RENDERERS
from services.invoicing.application.bill_run import run_bill_run_batch
from services.invoicing.application.context import Invoicing
from services.invoicing.application.days import ensure_day_timer
from services.invoicing.application.delivery import make_next_mailing
from services.invoicing.application.documents import make_next_document
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.application.reports import make_next_report
from shared.logging import get_logger

__all__ = ["Workers"]

log = get_logger(__name__)


class Workers:
    def __init__(self, invoicing: Callable[[], Invoicing], *, poll_interval: float = 0.2) -> None:
        self.invoicing = invoicing
        self.poll_interval = poll_interval
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def _posting(self) -> bool:
        return await drain_posting_queue(self.invoicing()) > 0

    async def _bill_runs(self) -> bool:
        run = await run_bill_run_batch(self.invoicing())
        return run is not None and run.finished_at is None

    async def _documents(self) -> bool:
        ctx = self.invoicing()
        made = await make_next_document(ctx, RENDERERS)
        mailed = await make_next_mailing(ctx, RENDERERS)
        return await make_next_report(ctx, REPORT_RENDERERS) or mailed or made

    async def _loop(self, name: str, step: Callable[[], Awaitable[bool]]) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = await step()
            except Exception as error:
                log.error(f"{name}.failed", error=repr(error))
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.poll_interval)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: object) -> AsyncIterator[None]:
        await ensure_day_timer(self.invoicing())
        self._stop.clear()
        self._tasks = [asyncio.create_task(self._loop("posting", self._posting), name="invoicing-posting"),
                       asyncio.create_task(self._loop("bill_run", self._bill_runs), name="invoicing-bill-runs"),
                       asyncio.create_task(self._loop("documents", self._documents), name="invoicing-documents")]
        try:
            yield
        finally:
            self._stop.set()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 10)
            self._tasks.clear()
