"""Composition root of the telephony service: `granian --interface asgi --factory services.telephony.app:create_app`."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router
from litestar.di import Provide

import services.telephony.domain.events  # noqa: F401  (registers the events)
from services.telephony.adapters.invoicing import InvoicingUsage
from services.telephony.adapters.notifications import NotificationsDetailMailer
from services.telephony.adapters.switch import DevSipSwitch, NoSipSwitch
from services.telephony.adapters.wiring import load_plans, wire_telephony
from services.telephony.application.context import Telephony
from services.telephony.application.ports import SipSwitch
from services.telephony.entrypoints.http import CdrController, DemoController, LinesController
from services.telephony.entrypoints.workers import CdrConsumer, UsageWorker
from services.telephony.projections.lines import LinesProjection
from services.telephony.settings import TelephonySettings
from shared.clock import Clock, clock_for
from shared.events import registry
from shared.http import at_the_edge, exception_handlers, internal_token_guard, ops_route_handlers
from shared.internal_api import InternalClient
from shared.logging import configure_logging
from shared.openapi import INTERNAL_TOKEN, asset_routes, openapi_config
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["MIGRATIONS", "create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TelephonySettings | None = None, clock: Clock | None = None,
               switch: SipSwitch | None = None) -> Litestar:
    settings = settings or load_settings(TelephonySettings)
    configure_logging("telephony", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    plans = load_plans(settings.rating_plans)
    if switch is None:
        switch = NoSipSwitch() if settings.billing_env == "prod" else DevSipSwitch()
    invoicing_client = InternalClient("invoicing", settings.invoicing_url, settings.internal_token)
    usage = InvoicingUsage(invoicing_client)
    notifications_client = InternalClient("notifications", settings.notifications_url, settings.internal_token)
    mailer = NotificationsDetailMailer(notifications_client)
    sip_switch = switch

    def telephony() -> Telephony:
        return wire_telephony(runtime.store, clock, settings.timezone, plans, usage, sip_switch,
                              settings.usage_batch_size, mailer)

    runtime = ServiceRuntime("telephony", settings, registry, clock, migrations=MIGRATIONS,
                             projections=[LinesProjection(settings.timezone)])

    async def get_telephony() -> Telephony:
        return telephony()

    async def get_settings() -> TelephonySettings:
        return settings

    app = Litestar(
        route_handlers=[
            Router("/", route_handlers=[CdrController, LinesController,
                                        *([DemoController] if settings.billing_env != "prod" else [])],
                   guards=[internal_token_guard(settings.internal_token)], security=[{INTERNAL_TOKEN: []}]),
            *ops_route_handlers(runtime.ready),
            *asset_routes(),
        ],
        dependencies={"telephony": Provide(get_telephony), "settings": Provide(get_settings)},
        exception_handlers=exception_handlers,
        logging_config=None,  # every record goes through shared.logging's handler
        lifespan=[runtime.lifespan, UsageWorker(telephony).lifespan, CdrConsumer(telephony, settings).lifespan],
        on_shutdown=[invoicing_client.close, notifications_client.close],
        openapi_config=openapi_config(
            "Telephony internal API", "1.0.0", security="internal",
            description="CDR ingestion and rating, re-rating, subscriber cards, add-ons, multichannel packages, "
                        "SIP settings, mobile internet, pause, call detail."),
        debug=False,
    )
    return at_the_edge(app, "telephony", settings.trusted_proxy_networks)
