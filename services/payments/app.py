"""Composition root of the payments service: `granian --interface asgi services.payments.app:app`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from litestar import Litestar, Router
from litestar.di import Provide

import services.payments.domain.events  # noqa: F401  (registers the events)
from services.payments.adapters.providers import Providers, build_providers
from services.payments.adapters.tables import AutopayAmountsTable, SavedMethodsTable, TopUpsTable
from services.payments.application.context import Payments
from services.payments.entrypoints.account_api import AccountPaymentsController
from services.payments.entrypoints.callbacks import ProviderCallbacksController
from services.payments.entrypoints.http import PaymentsController
from services.payments.entrypoints.timers import timer_handlers
from services.payments.projections.account_facts import AccountFactsProjection, AccountFactsTable
from services.payments.settings import PaymentsSettings
from shared.clock import Clock, clock_for
from shared.events import registry
from shared.eventstore import EventStore
from shared.http import at_the_edge, exception_handlers, internal_token_guard, ops_route_handlers
from shared.logging import configure_logging
from shared.openapi import INTERNAL_TOKEN, asset_routes, openapi_config
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["create_app", "wire_payments"]


def wire_payments(store: EventStore, clock: Clock, tz: ZoneInfo, providers: Providers,
                  promised_payment_cap: Decimal | None = None) -> Payments:
    """The use cases' context on the service's own tables (the service, its tests, the bench)."""
    return Payments(store, clock, tz, providers, AccountFactsTable(), TopUpsTable(), SavedMethodsTable(),
                    AutopayAmountsTable(), promised_payment_cap)


def create_app(settings: PaymentsSettings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings(PaymentsSettings)
    configure_logging("payments", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    tz = settings.timezone
    providers = build_providers(settings, lambda: runtime.pool, clock)

    def payments() -> Payments:
        return wire_payments(runtime.store, clock, tz, providers, settings.promised_payment_cap)

    runtime = ServiceRuntime(
        "payments", settings, registry, clock, migrations=Path(__file__).parent / "migrations",
        projections=[AccountFactsProjection()], timer_handlers=timer_handlers(payments),
    )

    async def store() -> EventStore:
        return runtime.store

    async def get_clock() -> Clock:
        return clock

    async def get_payments() -> Payments:
        return payments()

    async def get_providers() -> Providers:
        return providers

    internal = [PaymentsController, AccountPaymentsController]
    app = Litestar(
        route_handlers=[
            Router("/", route_handlers=internal, guards=[internal_token_guard(settings.internal_token)],
                   security=[{INTERNAL_TOKEN: []}]),
            ProviderCallbacksController,
            *ops_route_handlers(runtime.ready),
            *asset_routes(),
        ],
        dependencies={"store": Provide(store), "clock": Provide(get_clock), "payments": Provide(get_payments),
                      "providers": Provide(get_providers)},
        exception_handlers=exception_handlers,
        logging_config=None,  # every record goes through shared.logging's handler
        lifespan=[runtime.lifespan],
        openapi_config=openapi_config(
            "Payments internal API", "1.0.0", security="internal",
            description="Payments, top-ups, promised payments, autopay, guarantees; provider callbacks are not "
                        "part of it."),
        debug=False,
    )
    return at_the_edge(app, "payments", settings.trusted_proxy_networks)
