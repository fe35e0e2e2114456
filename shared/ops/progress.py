"""Progress of a long ops job (a rebuild, a replay): events done of the total, rate and ETA.

On a terminal it is a live bar (rich); otherwise (a Kubernetes Job, a CI log, a pipe) one log line
every `every` seconds and one at the end, so the job's log tells how far it got and how long is left."""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shared.logging import get_logger

__all__ = ["LogProgress", "NoProgress", "ProgressReporter", "TerminalProgress", "progress_for"]

log = get_logger("shared.ops.progress")


class ProgressReporter(Protocol):
    def begin(self, phase: str, total: int) -> None: ...
    def advance(self, done: int) -> None: ...
    def end(self) -> None: ...


class NoProgress:
    def begin(self, phase: str, total: int) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def end(self) -> None:
        pass


class _Rate:
    def __init__(self) -> None:
        self.phase, self.total, self.done, self.began = "", 0, 0, time.monotonic()

    def reset(self, phase: str, total: int) -> None:
        self.phase, self.total, self.done, self.began = phase, total, 0, time.monotonic()

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.began
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        rate = self.rate
        return max(0.0, self.total - self.done) / rate if rate > 0 else None

    def fields(self) -> dict[str, Any]:
        eta = self.eta
        return {"phase": self.phase, "done": self.done, "total": self.total, "rate": round(self.rate),
                "eta_s": None if eta is None else round(eta, 1)}


class LogProgress:
    """Log lines: `ops.progress phase=... done=... total=... rate=... eta_s=...`."""

    def __init__(self, every: float = 2.0, stream: TextIO | None = None) -> None:
        self.every, self.stream = every, stream
        self._rate = _Rate()
        self._last = 0.0

    def begin(self, phase: str, total: int) -> None:
        self._rate.reset(phase, total)
        self._last = time.monotonic()
        self._line()

    def advance(self, done: int) -> None:
        self._rate.done += done
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            self._line()

    def end(self) -> None:
        self._line()

    def _line(self) -> None:
        f = self._rate.fields()
        eta = "?" if f["eta_s"] is None else f"{f['eta_s']} s"
        text = (f"{f['phase']}: {f['done']:,}/{f['total']:,} events, {f['rate']:,} events/s, ETA {eta}")
        if self.stream is not None:
            print(text, file=self.stream, flush=True)
        else:
            log.info("ops.progress", message=text, **f)


class TerminalProgress:
    """A rich bar: phase, bar, done/total, rate, ETA."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[rate]:>10,} ev/s  ETA {task.fields[eta]}"), TimeElapsedColumn(),
                             console=console)
        self._rate = _Rate()
        self._task: Any = None
        self._running = False

    def begin(self, phase: str, total: int) -> None:
        """A new line for each phase (the finished ones stay on screen)."""
        if not self._running:
            self._bar.start()
            self._running = True
        self._rate.reset(phase, total)
        self._task = self._bar.add_task(phase, total=max(total, 1), rate=0, eta="?")

    def advance(self, done: int) -> None:
        self._rate.done += done
        eta = self._rate.eta
        self._bar.update(self._task, completed=self._rate.done, total=max(self._rate.total, self._rate.done, 1),
                         rate=round(self._rate.rate), eta="?" if eta is None else f"{eta:.1f} s")

    def end(self) -> None:
        if self._task is not None:
            self._bar.stop_task(self._task)
        if self._running:
            self._bar.stop()
            self._running = False


def progress_for(console: Console, stream: TextIO | None = None) -> ProgressReporter:
    """A bar on a terminal, log lines otherwise."""
    return TerminalProgress(console) if (stream or sys.stderr).isatty() and console.is_terminal else LogProgress()
