"""The other services' events into the service's own tables (what it knows: recipients, funds and
fees, promised payments), and the messages those events call for (`triggers.py`). Each module
writes its tables from its events, read by contract (`contracts.py`: our models of the payload
fields, never the producers' classes); the use cases read those tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.notifications.application.context import Notifier
from shared.db import Connection
from shared.projection import IncomingEvent

__all__ = ["Apply"]

#: What one event changes in what the service knows.
Apply = Callable[[Connection, Notifier, IncomingEvent], Awaitable[None]]
