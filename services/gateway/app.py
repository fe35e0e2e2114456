"""Composition root of the gateway: `granian --interface asgi --factory services.gateway.app:create_app`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from services.gateway.auth import Caller, authenticate, require_password_changed
from services.gateway.entrypoints.accounts import AccountsController
from services.gateway.entrypoints.auth import AuthController
from services.gateway.entrypoints.cabinet import AccountPagesController, AccountSelectorController
from services.gateway.entrypoints.messages import MessagesController, NotificationPreferencesController
from services.gateway.entrypoints.payments import CabinetPaymentsController
from services.gateway.entrypoints.profile import OrganizationController, ProfileController
from services.gateway.projections.cabinet_accounts import CabinetAccounts
from services.gateway.projections.cabinet_payments import CabinetPayments
from services.gateway.projections.messages import CabinetMessages
from services.gateway.settings import GatewaySettings
from shared.clock import Clock, clock_for
from shared.db import Pool
from shared.events import registry
from shared.freshness import freshness_middleware
from shared.http import at_the_edge, exception_handlers, ops_route_handlers
from shared.internal_api import InternalClient
from shared.logging import configure_logging
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["create_app"]


def create_app(
    settings: GatewaySettings | None = None, clock: Clock | None = None, accounts: InternalClient | None = None,
    payments: InternalClient | None = None, notifications: InternalClient | None = None,
) -> Litestar:
    """`clock`, `accounts` and `payments` (the services' clients) are given by tests; else from settings."""
    settings = settings or load_settings(GatewaySettings)
    gateway_settings = settings
    configure_logging("gateway", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    runtime = ServiceRuntime(
        "gateway", settings, registry, clock,
        migrations=Path(__file__).parent / "migrations",
        publishes=False,
        projections=[CabinetPayments(), CabinetAccounts(), CabinetMessages()],
    )
    timezone = settings.timezone
    accounts_client = accounts or InternalClient("accounts", settings.accounts_url, settings.internal_token)
    payments_client = payments or InternalClient("payments", settings.payments_url, settings.internal_token)
    notifications_client = notifications or InternalClient(
        "notifications", settings.notifications_api_url, settings.internal_token
    )
    the_clock = clock

    async def session(request: Request[Any, Any, Any]) -> Caller:
        """The logged-in caller, even one who must change the password first."""
        return await authenticate(request, gateway_settings.token_secret, the_clock, runtime.pool)

    async def caller(request: Request[Any, Any, Any]) -> Caller:
        return require_password_changed(await session(request))

    async def pool() -> Pool:
        return runtime.pool

    async def tz() -> ZoneInfo:
        return timezone

    async def provide_accounts() -> InternalClient:
        return accounts_client

    async def provide_payments() -> InternalClient:
        return payments_client

    async def provide_notifications() -> InternalClient:
        return notifications_client

    async def provide_clock() -> Clock:
        return the_clock

    async def provide_settings() -> GatewaySettings:
        return gateway_settings

    async def close_clients() -> None:
        await accounts_client.close()
        await payments_client.close()
        await notifications_client.close()

    app = Litestar(
        route_handlers=[
            AccountsController,
            AuthController, AccountSelectorController, AccountPagesController, ProfileController,
            OrganizationController, CabinetPaymentsController, MessagesController, NotificationPreferencesController,
            *ops_route_handlers(runtime.ready),
        ],
        dependencies={
            "caller": Provide(caller), "pool": Provide(pool), "timezone": Provide(tz),
            "session": Provide(session), "accounts": Provide(provide_accounts), "clock": Provide(provide_clock),
            "gateway_settings": Provide(provide_settings), "payments_api": Provide(provide_payments),
            "notifications_api": Provide(provide_notifications),
        },
        exception_handlers=exception_handlers,
        middleware=[freshness_middleware(runtime.freshness)],
        logging_config=None,  # every record goes through shared.logging's handler
        lifespan=[runtime.lifespan],
        on_shutdown=[close_clients],
        openapi_config=OpenAPIConfig(title="Billing cabinet API", version="1.0.0", path="/schema"),
        debug=False,
    )
    return at_the_edge(app, "gateway", settings.trusted_proxy_networks)
