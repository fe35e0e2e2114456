"""The durable timers the service sets, each to its use case: a message's next try, giving up on
one, and the two reminders."""

from __future__ import annotations

from functools import partial

from services.notifications.application.context import Notifier
from services.notifications.application.delivery import attempt_delivery, give_up
from services.notifications.application.queueing import GIVE_UP, SEND
from services.notifications.application.reminders import (
    PERIOD_END,
    PROMISED_PAYMENT_DUE,
    remind_period_end,
    remind_promised_payment_due,
)
from shared.scheduler import Handler

__all__ = ["timer_handlers"]


def timer_handlers(notifier: Notifier) -> dict[str, Handler]:
    return {
        SEND: partial(attempt_delivery, notifier),
        GIVE_UP: partial(give_up, notifier),
        PROMISED_PAYMENT_DUE: partial(remind_promised_payment_due, notifier),
        PERIOD_END: partial(remind_period_end, notifier),
    }
