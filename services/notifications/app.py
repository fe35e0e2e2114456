"""Composition root of the notifications service:
`granian --interface asgi --factory services.notifications.app:create_app`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from litestar import Litestar, Router

import services.notifications.domain.events  # noqa: F401  (registers the events)
from services.notifications.adapters.attachments import ServiceAttachments
from services.notifications.adapters.sms_gateway import SmsGatewaySender
from services.notifications.adapters.smtp import SmtpSender
from services.notifications.adapters.templates import Templates
from services.notifications.application.context import Notifier
from services.notifications.application.reminders import ensure_period_end_reminder
from services.notifications.entrypoints.common import notifier_dependency
from services.notifications.entrypoints.http import NotificationsController
from services.notifications.entrypoints.timers import timer_handlers
from services.notifications.projections.triggers import NotificationTriggers
from services.notifications.settings import NotificationsSettings
from shared.clock import Clock, clock_for
from shared.events import registry
from shared.http import at_the_edge, exception_handlers, internal_token_guard, ops_route_handlers
from shared.internal_api import InternalClient
from shared.logging import configure_logging
from shared.openapi import INTERNAL_TOKEN, asset_routes, openapi_config
from shared.service import ServiceRuntime
from shared.settings import load_settings

__all__ = ["create_app"]


def create_app(settings: NotificationsSettings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or load_settings(NotificationsSettings)
    configure_logging("notifications", settings.log_level, settings.log_format)
    clock = clock or clock_for(settings.billing_env, settings.dev_clock_file)
    sms = SmsGatewaySender(settings.sms_gateway_url, settings.sms_token, settings.sms_sender,
                           timeout=settings.sms_timeout_s)
    smtp = SmtpSender(
        settings.smtp_host, settings.smtp_port, settings.smtp_from, username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls, timeout=settings.smtp_timeout_s,
    )
    attachments = ServiceAttachments(
        {"invoicing": InternalClient("invoicing", settings.invoicing_url, settings.internal_token)})
    runtime = ServiceRuntime("notifications", settings, registry, clock,
                             migrations=Path(__file__).parent / "migrations")
    notifier = Notifier(
        runtime=runtime, clock=clock, templates=Templates(settings.currency, settings.timezone),
        senders={"sms": sms, "email": smtp}, timezone=settings.timezone, quiet_hours=settings.quiet_hours,
        retry=settings.retry_policy, secret_attempts=settings.secret_attempts,
        secret_retry_pause=settings.secret_retry_pause_s, reminder_days=settings.period_end_reminder_days,
        stale_after=settings.stale_after,
        attachments=attachments,
    )
    runtime.projections.append(NotificationTriggers(notifier))
    runtime.timer_handlers.update(timer_handlers(notifier))

    @contextlib.asynccontextmanager
    async def reminders_and_senders(_: object) -> AsyncIterator[None]:
        await ensure_period_end_reminder(runtime.pool, notifier)
        try:
            yield
        finally:
            await sms.close()
            await attachments.close()

    app = Litestar(
        route_handlers=[
            Router("/", route_handlers=[NotificationsController],
                   guards=[internal_token_guard(settings.internal_token)],
                   security=[{INTERNAL_TOKEN: []}]),
            *ops_route_handlers(runtime.ready),
            *asset_routes(),
        ],
        dependencies=notifier_dependency(notifier),
        exception_handlers=exception_handlers,
        logging_config=None,  # every record goes through shared.logging's handler
        lifespan=[runtime.lifespan, reminders_and_senders],
        openapi_config=openapi_config(
            "Notifications internal API", "1.0.0", security="internal",
            description="One-time secrets and notification preferences, for the accounts service and the "
                        "gateway."),
        debug=False,
    )
    return at_the_edge(app, "notifications", settings.trusted_proxy_networks)
