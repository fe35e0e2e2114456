"""What the accounts service's routes share beyond the request edge of shared/http.py (ids, actor,
idempotency key, command metadata and answer): the use cases' context, given to every route as
its `ctx` parameter."""

from __future__ import annotations

from collections.abc import Callable

from litestar.di import Provide

from services.accounts.application.context import Accounts

__all__ = ["context_dependency"]


def context_dependency(context: Callable[[], Accounts]) -> dict[str, Provide]:
    """The `ctx` parameter of every route: the context as of the request (the event store and its
    pool exist once the runtime has started)."""

    async def provide() -> Accounts:
        return context()

    return {"ctx": Provide(provide)}
