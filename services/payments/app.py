"""Composition root of the payments service: `granian --interface asgi services.payments.app:app`."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router
from litestar.di import Provide

import services.payments.domain.events  # noqa: F401  (registers the events)
from services.payments.entrypoints.http import PaymentsController
from services.payments.settings import PaymentsSettings
from shared.clock import Clock, clock_for
from shared.events import registry
from shared.eventstore import EventStore
from shared.http import correlation_middleware, exception_handlers, internal_token_guard, ops_route_handlers
from shared.logging import configure_logging
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["create_app"]


def create_app(settings: PaymentsSettings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings(PaymentsSettings)
    configure_logging("payments", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    runtime = ServiceRuntime("payments", settings, registry, clock, migrations=Path(__file__).parent / "migrations")

    async def store() -> EventStore:
        return runtime.store

    async def get_clock() -> Clock:
        return clock

    return Litestar(
        route_handlers=[
            Router("/", route_handlers=[PaymentsController], guards=[internal_token_guard(settings.internal_token)]),
            *ops_route_handlers(runtime.ready),
        ],
        dependencies={"store": Provide(store), "clock": Provide(get_clock)},
        exception_handlers=exception_handlers,
        middleware=[correlation_middleware("payments")],
        lifespan=[runtime.lifespan],
        debug=False,
    )
