"""The cabinet's messages ("Сообщения", seed 000) and the caller's notification preferences.

Messages come from the gateway's read model of billing.notifications.events. Preferences are read
from the notifications service (the topics it sends and their default channels, and what the
caller chose) and changed through the accounts service, which owns them
(`NotificationPreferencesChanged`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController, Commands
from services.gateway.projections.cabinet_accounts import CabinetAccounts
from services.gateway.projections.messages import message_list
from shared.db import Pool
from shared.errors import DomainError
from shared.http import IdempotencyKey, replayable_response
from shared.internal_api import InternalClient, Reply
from shared.openapi import BEARER, answers

__all__ = [
    "MessagesController", "NotificationPreferencesController", "PreferencesChange", "Topic", "change_preferences",
    "notification_preferences",
]

#: The topics the notifications service sends (docs/events.md, billing.notifications.events; its
#: catalog's TOPICS, which a test keeps this list equal to).
Topic = Literal["payment_received", "promised_payment", "autopay", "blocks", "financial_block",
                "period_end_reminder", "invoices", "support"]
Channel = Literal["sms", "email"]


class PreferencesChange(BaseModel):
    """Channels per topic; a topic left out keeps its default channels, `[]` switches it off."""

    model_config = ConfigDict(extra="forbid")

    preferences: dict[Topic, Annotated[list[Channel], Field(max_length=2)]]


class MessagesController(AccountController):
    path = f"{AccountController.path}/messages"
    tags = ["messages"]

    @get("/", summary="Messages sent about the account: sent, pending and failed, newest first",
         responses=answers(200, a.Messages))
    async def messages(
        self,
        account: str,
        pool: Pool,
        status: Annotated[Literal["pending", "sent", "failed"] | None, Parameter(default=None)],
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        return await message_list(pool, account, status=status, limit=limit, offset=offset)


class NotificationPreferencesController(Controller):
    path = "/api/v1/profile/notification-preferences"
    tags = ["profile"]
    security = [{BEARER: []}]

    @get("/", summary="Which notifications the caller gets by SMS and by e-mail",
         responses=answers(200, a.NotificationPreferences))
    async def preferences(self, caller: Caller, notifications_api: InternalClient) -> dict[str, Any]:
        return await notification_preferences(caller, notifications_api)

    @put("/", summary="Choose the channels per topic", responses=answers(200, a.PreferencesChanged))
    async def change(
        self, data: PreferencesChange, caller: Caller, pool: Pool, accounts: InternalClient,
        notifications_api: InternalClient, idempotency_key: IdempotencyKey,
    ) -> Response[dict[str, Any]]:
        # Built here rather than taken as `accounts_commands`: this controller needs nothing but the
        # caller, the pool and the clients (tests/notifications serve it in an app of their own).
        reply = await change_preferences(data, caller, Commands(accounts, pool, caller, CabinetAccounts.name),
                                         idempotency_key, notifications_api)
        return replayable_response(reply.body, 200, replayed=reply.replayed)


async def notification_preferences(caller: Caller, notifications_api: InternalClient) -> dict[str, Any]:
    """The topics the notifications service sends, their default channels and the caller's choice."""
    return await notifications_api.call("GET", f"/internal/v1/users/{caller.user_id}/notification-preferences")


async def change_preferences(data: PreferencesChange, caller: Caller, accounts_commands: Commands,
                             key: str | None, notifications_api: InternalClient) -> Reply:
    """The caller's channels per topic, each list without repeats, to the accounts service (which owns
    them); answered once the notifications service shows them too (waiting at most the commands'
    timeout: `read_model_current` says whether it did), so the next read shows the change. The answer
    carries the preferences as sent."""
    preferences: dict[str, list[str]] = {topic: sorted(set(channels)) for topic, channels in data.preferences.items()}
    reply = await accounts_commands.reply("POST", f"/internal/v1/users/{caller.user_id}/notification-preferences",
                                          {"preferences": preferences}, key)
    shown = await _shown(notifications_api, caller, preferences, accounts_commands.timeout)
    reply.body["read_model_current"] = shown and reply.body.get("read_model_current", True) is not False
    reply.body["preferences"] = preferences
    return reply


async def _shown(notifications_api: InternalClient, caller: Caller, preferences: Mapping[str, list[str]],
                 timeout: float) -> bool:
    """Whether the notifications service shows `preferences` as the caller's choice within `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = await notification_preferences(caller, notifications_api)
        except DomainError:  # the service away: the change stands, not known to be shown yet
            return False
        chosen = {t["topic"]: sorted(t["channels"]) for t in found.get("topics", [])}
        if all(chosen.get(topic) == channels for topic, channels in preferences.items()):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)
