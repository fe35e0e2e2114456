"""Composition root of the gateway: `granian --interface asgi --factory services.gateway.app:create_app`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from services.gateway.auth import Caller, authenticate
from services.gateway.entrypoints.accounts import AccountsController
from services.gateway.projections.cabinet_payments import CabinetPayments
from services.gateway.settings import GatewaySettings
from shared.clock import clock_for
from shared.db import Pool
from shared.events import registry
from shared.http import correlation_middleware, exception_handlers, ops_route_handlers
from shared.logging import configure_logging
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["create_app"]


def create_app(settings: GatewaySettings | None = None) -> Litestar:
    settings = settings or load_settings(GatewaySettings)
    configure_logging("gateway", settings.log_level, settings.log_format)
    runtime = ServiceRuntime(
        "gateway", settings, registry, clock_for(settings.billing_env, settings.dev_clock_file),
        migrations=Path(__file__).parent / "migrations",
        publishes=False,
        projections=[CabinetPayments()],
    )
    timezone = ZoneInfo(settings.billing_timezone)
    operator_token = settings.operator_token

    async def caller(request: Request[Any, Any, Any]) -> Caller:
        return authenticate(request, operator_token)

    async def pool() -> Pool:
        return runtime.pool

    async def tz() -> ZoneInfo:
        return timezone

    return Litestar(
        route_handlers=[AccountsController, *ops_route_handlers(runtime.ready)],
        dependencies={"caller": Provide(caller), "pool": Provide(pool), "timezone": Provide(tz)},
        exception_handlers=exception_handlers,
        middleware=[correlation_middleware("gateway")],
        lifespan=[runtime.lifespan],
        openapi_config=OpenAPIConfig(title="Billing cabinet API", version="1.0.0", path="/schema"),
        debug=False,
    )
