"""Composition root of the accounts service:
`granian --interface asgi --factory services.accounts.app:create_app`."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Router

import services.accounts.domain.events
import services.accounts.domain.user_events  # noqa: F401  (registers the events)
from services.accounts.adapters.catalogue import load_catalogue, load_knowledge_base
from services.accounts.adapters.couriers import courier_for
from services.accounts.adapters.credentials import PostgresCredentials
from services.accounts.adapters.hashing import Argon2Hasher
from services.accounts.adapters.network import network_for
from services.accounts.adapters.tv_partners import tv_partners_for
from services.accounts.application.context import Accounts
from services.accounts.application.ports import NetworkAccess, SecretCourier, TvPartners
from services.accounts.entrypoints.accounts import AccountCommandsController, OrganizationController
from services.accounts.entrypoints.add_ons import AddOnsController, BulkAddOnsController, TvSubscriptionsController
from services.accounts.entrypoints.auth import AuthController
from services.accounts.entrypoints.common import context_dependency
from services.accounts.entrypoints.mobile import MobileController
from services.accounts.entrypoints.office import OfficeController
from services.accounts.entrypoints.support import (
    CredentialResetController,
    KnowledgeBaseController,
    SupportController,
)
from services.accounts.entrypoints.timers import timer_handlers
from services.accounts.entrypoints.users import UsersController
from services.accounts.projections.available_funds import AvailableFunds
from services.accounts.settings import AccountsSettings
from shared.clock import Clock, clock_for
from shared.events import registry
from shared.http import at_the_edge, exception_handlers, internal_token_guard, ops_route_handlers
from shared.logging import configure_logging
from shared.openapi import INTERNAL_TOKEN, asset_routes, openapi_config
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["create_app"]

CONTROLLERS = [OfficeController, AuthController, UsersController, AccountCommandsController, OrganizationController,
               SupportController, KnowledgeBaseController, AddOnsController, BulkAddOnsController,
               CredentialResetController, TvSubscriptionsController, MobileController]


def create_app(
    settings: AccountsSettings | None = None, clock: Clock | None = None, courier: SecretCourier | None = None,
    network: NetworkAccess | None = None, tv_partners: TvPartners | None = None,
) -> Litestar:
    settings = settings or load_settings(AccountsSettings)
    configure_logging("accounts", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    catalogue = load_catalogue(settings.tariff_catalogue)
    knowledge_base = load_knowledge_base(settings.knowledge_base)
    hasher = Argon2Hasher(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)
    courier = courier or courier_for(settings.billing_env, settings.notifications_url, settings.internal_token)
    timezone = settings.timezone
    # The network side of service passwords: the dev network, or in prod none yet (503).
    network = network or network_for(settings.billing_env)
    tv_partners = tv_partners or tv_partners_for(settings.billing_env, settings.tv_partners_sandbox)

    def context() -> Accounts:  # the store and pool exist once the runtime has started
        return Accounts(runtime.store, clock, timezone, catalogue, PostgresCredentials(runtime.pool), hasher, courier,
                        network, tv_partners, knowledge_base=knowledge_base,
                        tv_partner_timeout_s=settings.tv_partner_timeout_s)

    runtime = ServiceRuntime(
        "accounts", settings, registry, clock,
        migrations=Path(__file__).parent / "migrations",
        projections=[AvailableFunds(clock)],
        timer_handlers=timer_handlers(context),
    )
    app = Litestar(
        route_handlers=[
            Router("/", route_handlers=CONTROLLERS, guards=[internal_token_guard(settings.internal_token)],
                   security=[{INTERNAL_TOKEN: []}]),
            *ops_route_handlers(runtime.ready),
            *asset_routes(),
        ],
        dependencies=context_dependency(context),
        exception_handlers=exception_handlers,
        logging_config=None,  # every record goes through shared.logging's handler
        lifespan=[runtime.lifespan],
        openapi_config=openapi_config(
            "Accounts internal API", "1.0.0", security="internal",
            description="Clients, accounts, lines, blocks, cabinet users and credentials: for the office and the "
                        "gateway."),
        debug=False,
    )
    return at_the_edge(app, "accounts", settings.trusted_proxy_networks)
