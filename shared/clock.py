"""Time comes from a Clock: the system's in production, a fake one in tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "DevClock", "FakeClock", "SystemClock", "clock_for", "offset_file_reader", "utc"]


def utc(value: datetime) -> datetime:
    """Refuse naive datetimes; normalise aware ones to UTC."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: a timezone is required")
    return value.astimezone(UTC)


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time does not go backwards")
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = utc(instant)


class DevClock:
    """Dev stacks only: system time plus an offset that `billing clock advance` moves forward,
    shared by every process of the stack through a file (read at most once a second), so a demo
    can jump to "3 days later" and watch timers fire. Never used with BILLING_ENV=prod."""

    def __init__(self, read_offset_seconds: Callable[[], float], refresh_every: float = 1.0) -> None:
        self._read = read_offset_seconds
        self._refresh_every = refresh_every
        self._offset = 0.0
        self._read_at = float("-inf")

    def now(self) -> datetime:
        if time.monotonic() - self._read_at >= self._refresh_every:
            self._offset = self._read()
            self._read_at = time.monotonic()
        return datetime.now(UTC) + timedelta(seconds=self._offset)


def offset_file_reader(path: Path) -> Callable[[], float]:
    """The offset, in seconds, written in `path` (0 while the file does not exist)."""

    def read() -> float:
        try:
            return float(path.read_text().strip() or 0)
        except FileNotFoundError:
            return 0.0

    return read


def clock_for(environment: str, dev_clock_file: str | None) -> Clock:
    """The clock a process runs on: the system's, or in dev the movable one."""
    if environment != "prod" and dev_clock_file:
        return DevClock(offset_file_reader(Path(dev_clock_file)))
    return SystemClock()
