"""Composition root of the invoicing service: `granian --interface asgi --factory services.invoicing.app:create_app`."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router
from litestar.di import Provide

import services.invoicing.domain.events  # noqa: F401  (registers the events)
from services.invoicing.adapters.wiring import load_rules, wire_invoicing
from services.invoicing.application.context import Invoicing
from services.invoicing.entrypoints.http import AccountChargesController, BillRunsController
from services.invoicing.entrypoints.timers import timer_handlers
from services.invoicing.entrypoints.workers import Workers
from services.invoicing.projections.account_plans import AccountPlansProjection
from services.invoicing.projections.payment_facts import PaymentFactsProjection
from services.invoicing.settings import InvoicingSettings
from shared.clock import Clock, clock_for
from shared.events import registry
from shared.http import at_the_edge, exception_handlers, internal_token_guard, ops_route_handlers
from shared.logging import configure_logging
from shared.openapi import INTERNAL_TOKEN, asset_routes, openapi_config
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["MIGRATIONS", "create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: InvoicingSettings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings(InvoicingSettings)
    configure_logging("invoicing", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    rules = load_rules(settings.charging_rules)

    def invoicing() -> Invoicing:
        return wire_invoicing(runtime.store, clock, settings.timezone, rules, settings)

    runtime = ServiceRuntime(
        "invoicing", settings, registry, clock, migrations=MIGRATIONS,
        projections=[AccountPlansProjection(settings.timezone), PaymentFactsProjection()],
        timer_handlers=timer_handlers(invoicing),
    )
    workers = Workers(invoicing)

    async def get_invoicing() -> Invoicing:
        return invoicing()

    app = Litestar(
        route_handlers=[
            Router("/", route_handlers=[AccountChargesController, BillRunsController],
                   guards=[internal_token_guard(settings.internal_token)], security=[{INTERNAL_TOKEN: []}]),
            *ops_route_handlers(runtime.ready),
            *asset_routes(),
        ],
        dependencies={"invoicing": Provide(get_invoicing)},
        exception_handlers=exception_handlers,
        logging_config=None,  # every record goes through shared.logging's handler
        lifespan=[runtime.lifespan, workers.lifespan],
        openapi_config=openapi_config(
            "Invoicing internal API", "1.0.0", security="internal",
            description="Charges pages per subscriber line, the charges history, regular invoices and their "
                        "documents, rated usage (telephony's), bill runs."),
        debug=False,
    )
    return at_the_edge(app, "invoicing", settings.trusted_proxy_networks)
