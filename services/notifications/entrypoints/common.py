"""What the notifications service's internal routes share beyond the kernel's request edge
(shared/http.py: ids, the idempotency key, command metadata): who sends a secret, the user id
parameter, and the notifier the routes work with."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.di import Provide
from litestar.params import Parameter

from services.notifications.application.context import Notifier
from shared.http import ID_PATTERN

__all__ = ["SecretSender", "UserId", "notifier_dependency"]

#: The service asking for a secret's delivery: the accounts service unless it says otherwise.
SecretSender = Annotated[str, Parameter(header="x-actor", default="accounts",
                                        description="who sends the secret, for the events' audit trail")]

UserId = Annotated[str, Parameter(pattern=ID_PATTERN, description="cabinet user id")]


def notifier_dependency(notifier: Notifier) -> dict[str, Any]:
    """The routes' `notifier` parameter: the one the composition root wired."""

    async def get_notifier() -> Notifier:
        return notifier

    return {"notifier": Provide(get_notifier)}
