"""Secret couriers: the notifications service over its internal API, or the dev console.

`NOTIFICATIONS_URL` set: POST /internal/v1/deliveries/secret on the notifications service, which
sends it at once and keeps no copy. Unset: the dev stack prints the secret on this process's
stdout (BILLING_ENV=dev only; never through the logger, so it is in no log pipeline); production
refuses to start (AccountsSettings); elsewhere (tests) nothing is sent and a warning without the
secret is logged."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TextIO

from services.accounts.application.ports import SecretChannel, SecretCourier, SecretKind
from shared.errors import DomainError
from shared.internal_api import InternalClient
from shared.logging import get_logger

__all__ = ["ConsoleCourier", "HttpCourier", "SecretNotDelivered", "courier_for"]

log = get_logger(__name__)


class HttpCourier(SecretCourier):
    """Hands the secret to the notifications service. If that fails, the dev stack falls back to
    its console (`fallback`); elsewhere the caller gets 503 `secret.not_delivered` and may ask again."""

    def __init__(self, client: InternalClient, fallback: SecretCourier | None = None) -> None:
        self.client = client
        self.fallback = fallback

    async def deliver(
        self, kind: SecretKind, user_id: str, account_ids: list[str], channel: SecretChannel, address: str,
        language: str, secret: str, expires_at: datetime,
    ) -> None:
        try:
            await self.client.call(
                "POST", "/internal/v1/deliveries/secret", actor="accounts",
                json={"kind": kind, "user_id": user_id, "account_ids": account_ids, "channel": channel,
                      "address": address, "language": language, "secret": secret,
                      "expires_at": expires_at.isoformat()},
            )
        except DomainError as error:
            log.warning("secret.delivery_failed", kind=kind, user_id=user_id, channel=channel, code=error.code)
            if self.fallback is None:
                raise SecretNotDelivered() from None
            await self.fallback.deliver(kind, user_id, account_ids, channel, address, language, secret, expires_at)


class ConsoleCourier(SecretCourier):
    def __init__(self, environment: str, out: TextIO | None = None) -> None:
        self.environment = environment
        self.out = out

    async def deliver(
        self, kind: SecretKind, user_id: str, account_ids: list[str], channel: SecretChannel, address: str,
        language: str, secret: str, expires_at: datetime,
    ) -> None:
        if self.environment != "dev":
            log.warning("secret.not_delivered", kind=kind, user_id=user_id, channel=channel,
                        reason="no NOTIFICATIONS_URL outside dev")
            return
        out = self.out or sys.stdout
        print(f"[dev courier] {kind} for user {user_id} by {channel} to {address}: {secret}"
              f" (valid until {expires_at.isoformat()})", file=out, flush=True)


class SecretNotDelivered(DomainError):
    status = 503

    def __init__(self) -> None:
        super().__init__("secret.not_delivered", "the message could not be sent just now; ask for a new one")


def courier_for(environment: str, notifications_url: str | None, token: str) -> SecretCourier:
    if environment == "prod" and not notifications_url:
        raise ValueError("NOTIFICATIONS_URL is required when BILLING_ENV=prod")
    console = ConsoleCourier(environment)
    if notifications_url:
        return HttpCourier(InternalClient("notifications", notifications_url, token),
                           fallback=console if environment == "dev" else None)
    return console
