"""Composition root of the gateway: `granian --interface asgi --factory services.gateway.app:create_app`.

`create_app` builds the `Wiring` once and hands it to Litestar as the app's state; the routes'
dependencies are small functions reading it (below) or built on them (entrypoints/common.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from services.gateway.entrypoints.accounts import AccountsController
from services.gateway.entrypoints.add_ons import LineAddOnsController, SubscribersAddOnsController
from services.gateway.entrypoints.auth import AuthController
from services.gateway.entrypoints.cabinet import AccountPagesController, AccountSelectorController
from services.gateway.entrypoints.common import PAGE, Page, accounts_commands, caller, payments_commands, session
from services.gateway.entrypoints.invoicing import CabinetInvoicingController
from services.gateway.entrypoints.invoicing_reports import CabinetReportsController
from services.gateway.entrypoints.messages import MessagesController, NotificationPreferencesController
from services.gateway.entrypoints.mobile import MobileExtrasController
from services.gateway.entrypoints.payments import CabinetPaymentsController
from services.gateway.entrypoints.profile import OrganizationController, ProfileController
from services.gateway.entrypoints.support import (
    CredentialResetController,
    KnowledgeBaseController,
    SupportRequestsController,
)
from services.gateway.entrypoints.telephony import CabinetTelephonyController
from services.gateway.projections.cabinet_accounts import CabinetAccounts
from services.gateway.projections.cabinet_payments import CabinetPayments
from services.gateway.projections.messages import CabinetMessages
from services.gateway.settings import GatewaySettings
from services.gateway.web import cabinet_router, template_config
from shared.clock import Clock, clock_for
from shared.db import Connection, Pool, create_pool
from shared.events import registry
from shared.freshness import freshness_middleware
from shared.heap import frozen_heap
from shared.http import at_the_edge, exception_handlers, ops_route_handlers
from shared.internal_api import InternalClient
from shared.logging import configure_logging
from shared.openapi import asset_routes, openapi_config
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["create_app"]

CONTROLLERS = [
    AccountsController, AuthController, AccountSelectorController, AccountPagesController, ProfileController,
    OrganizationController, CabinetPaymentsController, MessagesController, NotificationPreferencesController,
    CabinetInvoicingController,
    CabinetReportsController,
    SupportRequestsController, KnowledgeBaseController, LineAddOnsController, SubscribersAddOnsController,
    CredentialResetController, MobileExtrasController,
    CabinetTelephonyController,
]


async def _nothing_to_reset(_: Connection) -> None:
    """The pages pool runs single autocommit reads (no SET, LISTEN, cursors or advisory locks), so a
    connection goes back without asyncpg's reset query: one round trip less per page. asyncpg still
    rolls back a transaction left open, before calling this."""


@dataclass
class PagesPool:
    """The pool the cabinet's read pages use (`reads`), opened with the app, beside the runtime's."""

    dsn: str
    size: int = 10  # PAGES_POOL_SIZE (settings), chosen by measurement: README "Cabinet read path"
    pool: Pool | None = None

    @asynccontextmanager
    async def lifespan(self, _: object) -> AsyncIterator[None]:
        self.pool = await create_pool(self.dsn, "gateway", max_size=self.size, reset=_nothing_to_reset)
        try:
            yield
        finally:
            await self.pool.close()


@dataclass(frozen=True)
class Wiring:
    """What the routes are given, made once per app."""

    settings: GatewaySettings
    clock: Clock
    runtime: ServiceRuntime
    accounts: InternalClient
    payments: InternalClient
    notifications: InternalClient
    invoicing: InternalClient
    telephony: InternalClient
    pages: PagesPool = field(default_factory=lambda: PagesPool(""))

    async def close(self) -> None:
        for client in (self.accounts, self.payments, self.notifications, self.invoicing, self.telephony):
            await client.close()

    @asynccontextmanager
    async def open_pages(self, app: Litestar) -> AsyncIterator[None]:
        """The pages pool, and the `Page` the one-read routes take from the app's state."""
        async with self.pages.lifespan(app):
            assert self.pages.pool is not None
            app.state[PAGE] = Page(self.pages.pool, self.settings.token_secret, self.clock, self.settings.timezone)
            yield


def _wiring(state: State) -> Wiring:
    wiring: Wiring = state.wiring
    return wiring


def _settings(state: State) -> GatewaySettings:
    return _wiring(state).settings


def _clock(state: State) -> Clock:
    return _wiring(state).clock


def _timezone(state: State) -> ZoneInfo:
    return _wiring(state).settings.timezone


def _pool(state: State) -> Pool:
    return _wiring(state).runtime.pool


def _reads(state: State) -> Pool:
    pool = _wiring(state).pages.pool
    assert pool is not None, "the pages pool opens with the app"
    return pool


def _accounts(state: State) -> InternalClient:
    return _wiring(state).accounts


def _payments(state: State) -> InternalClient:
    return _wiring(state).payments


def _notifications(state: State) -> InternalClient:
    return _wiring(state).notifications


def _invoicing(state: State) -> InternalClient:
    return _wiring(state).invoicing


def _telephony(state: State) -> InternalClient:
    return _wiring(state).telephony


DEPENDENCIES = {
    "gateway_settings": Provide(_settings, sync_to_thread=False), "clock": Provide(_clock, sync_to_thread=False),
    "timezone": Provide(_timezone, sync_to_thread=False), "pool": Provide(_pool, sync_to_thread=False),
    "reads": Provide(_reads, sync_to_thread=False),
    "accounts": Provide(_accounts, sync_to_thread=False), "payments_api": Provide(_payments, sync_to_thread=False),
    "notifications_api": Provide(_notifications, sync_to_thread=False),
    "invoicing_api": Provide(_invoicing, sync_to_thread=False),
    "telephony_api": Provide(_telephony, sync_to_thread=False),
    "session": Provide(session), "caller": Provide(caller),
    "accounts_commands": Provide(accounts_commands), "payments_commands": Provide(payments_commands),
}


def gateway_runtime(settings: GatewaySettings, clock: Clock, *, consume: bool) -> ServiceRuntime:
    """The gateway's runtime: its read models' projections, consumed here (`consume`) or only watched
    for freshness while the projector process (services/gateway/projector.py) consumes them."""
    return ServiceRuntime(
        "gateway", settings, registry, clock, migrations=Path(__file__).parent / "migrations", publishes=False,
        projections=[CabinetPayments(), CabinetAccounts(), CabinetMessages()], consume=consume,
    )


def create_app(
    settings: GatewaySettings | None = None, clock: Clock | None = None, accounts: InternalClient | None = None,
    payments: InternalClient | None = None, notifications: InternalClient | None = None,
    invoicing: InternalClient | None = None,
    telephony: InternalClient | None = None,
) -> Litestar:
    """`clock` and the services' clients are given by tests; else from settings."""
    settings = settings or load_settings(GatewaySettings)
    configure_logging("gateway", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    runtime = gateway_runtime(settings, clock, consume=settings.gateway_projections == "in_process")
    token = settings.internal_token
    wiring = Wiring(
        settings, clock, runtime,
        accounts=accounts or InternalClient("accounts", settings.accounts_url, token),
        payments=payments or InternalClient("payments", settings.payments_url, token),
        notifications=notifications or InternalClient("notifications", settings.notifications_api_url, token),
        invoicing=invoicing or InternalClient("invoicing", settings.invoicing_url, token),
        telephony=telephony or InternalClient("telephony", settings.telephony_url, token),
        pages=PagesPool(settings.database_url, settings.pages_pool_size),
    )
    app = Litestar(
        route_handlers=[*CONTROLLERS, *ops_route_handlers(runtime.ready), *asset_routes(),
                        cabinet_router(settings.token_secret, secure_cookies=settings.billing_env != "dev"
                                       and settings.billing_env != "test")],
        template_config=template_config(),
        dependencies=DEPENDENCIES,
        state=State({"wiring": wiring}),
        exception_handlers=exception_handlers,
        middleware=[freshness_middleware(runtime.freshness)],
        logging_config=None,  # every record goes through shared.logging's handler
        lifespan=[runtime.lifespan, wiring.open_pages, frozen_heap],
        on_shutdown=[wiring.close],
        openapi_config=openapi_config(
            "Billing cabinet API", "1.0.0", security="bearer",
            description="The subscriber cabinet: log in, then send the access token as `Authorization: "
                        "Bearer`."),
        debug=False,
    )
    # An account's routes check who may see the account before they look at the body.
    return at_the_edge(app, "gateway", settings.trusted_proxy_networks, access_first=("/api/v1/accounts/",))
