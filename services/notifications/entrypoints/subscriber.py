"""The service's subscriber to billing.accounts.events and billing.payments.events.

A projection (shared/projection.py): each event is applied once, in one transaction with the
record that it was. Applying it keeps what the service knows up to date (recipients, funds, fees,
promised payments) and, when the catalogue has a rule for it, queues the messages it calls for.
An event older than `stale_after` on arrival updates what is known but sends nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from services.notifications.application import funds, recipients, reminders
from services.notifications.application.context import Notifier
from services.notifications.application.notify import notify_account
from services.notifications.domain.catalog import SOURCES, rule_for
from services.notifications.entrypoints import contracts as c
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.eventstore import Metadata
from shared.logging import new_correlation_id
from shared.projection import IncomingEvent

__all__ = ["NotificationTriggers"]

Apply = Callable[[Connection, Notifier, IncomingEvent], Awaitable[None]]


async def _user_created(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.CabinetUserCreated.model_validate(event.payload)
    await recipients.save_user(conn, p.user_id, p.role, p.account_ids, event.occurred_at)


async def _profile_changed(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.ProfileChanged.model_validate(event.payload)
    await recipients.save_profile(conn, p.user_id, p.account_ids, email=p.email, sms_phone=p.sms_phone,
                                  sms_phone_confirmed=p.sms_phone_confirmed, language=p.language,
                                  at=event.occurred_at)


async def _preferences_changed(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.NotificationPreferencesChanged.model_validate(event.payload)
    await recipients.save_preferences(conn, p.user_id, p.account_ids, p.preferences, event.occurred_at)


async def _account_opened(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.AccountOpened.model_validate(event.payload)
    await funds.open_account(conn, p.account_id, p.payment_form, p.opening_balance, event.occurred_at)


def _funds_move(sign: int) -> Apply:
    async def apply(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
        p = c.AmountEvent.model_validate(event.payload)
        await funds.add_funds(conn, p.account_id, sign * p.amount, event.occurred_at)

    return apply


async def _promised_payment_taken(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.PromisedPaymentTaken.model_validate(event.payload)
    await funds.add_funds(conn, p.account_id, p.amount, event.occurred_at)
    await reminders.remember_promised_payment(conn, notifier, p.promised_payment_id, p.account_id, p.amount,
                                              p.due_at)


async def _promised_payment_repaid(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.PromisedPaymentRepaid.model_validate(event.payload)
    # The payment that repaid it was counted already; the credit it repaid is taken back.
    await funds.add_funds(conn, p.account_id, -p.amount, event.occurred_at)
    outstanding = Decimal(0) if p.fully_repaid else p.outstanding
    await reminders.forget_promised_payment(conn, notifier, p.promised_payment_id, outstanding)


async def _promised_payment_expired(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.PromisedPaymentExpired.model_validate(event.payload)
    await funds.add_funds(conn, p.account_id, -p.withdrawn, event.occurred_at)
    await reminders.forget_promised_payment(conn, notifier, p.promised_payment_id)


async def _line_added(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.ServiceLineAdded.model_validate(event.payload)
    await funds.save_fee(conn, p.account_id, f"line:{p.line_id}", p.monthly_fee)


async def _tariff_changed(conn: Connection, notifier: Notifier, event: IncomingEvent) -> None:
    p = c.TariffChanged.model_validate(event.payload)
    today = event.occurred_at.astimezone(notifier.timezone).date()
    await funds.change_fee(conn, p.account_id, f"line:{p.line_id}", p.monthly_fee, p.effective_from, today)


async def _add_on_connected(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.AddOnChanged.model_validate(event.payload)
    await funds.save_fee(conn, p.account_id, f"add-on:{p.line_id}:{p.service_id}", p.monthly_fee)


async def _add_on_disconnected(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    p = c.AddOnChanged.model_validate(event.payload)
    await funds.end_fee(conn, p.account_id, f"add-on:{p.line_id}:{p.service_id}", p.on)


async def _account_closed(conn: Connection, _: Notifier, event: IncomingEvent) -> None:
    await funds.close_account(conn, c.AccountEvent.model_validate(event.payload).account_id, event.occurred_at)


#: What each event changes in what the service knows (before any message it calls for).
KNOWLEDGE: dict[str, Apply] = {
    "CabinetUserCreated": _user_created,
    "ProfileChanged": _profile_changed,
    "NotificationPreferencesChanged": _preferences_changed,
    "AccountOpened": _account_opened,
    "AccountClosed": _account_closed,
    "ServiceLineAdded": _line_added,
    "TariffChanged": _tariff_changed,
    "AddOnConnected": _add_on_connected,
    "AddOnDisconnected": _add_on_disconnected,
    "PaymentRegistered": _funds_move(+1),
    "PaymentReversed": _funds_move(-1),
    "PromisedPaymentTaken": _promised_payment_taken,
    "PromisedPaymentRepaid": _promised_payment_repaid,
    "PromisedPaymentExpired": _promised_payment_expired,
}


class NotificationTriggers:
    name = "notifications.triggers"

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.topics = tuple(topic_for(source) for source in SOURCES)

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        knowledge = KNOWLEDGE.get(event.event_type)
        if knowledge is not None:
            await knowledge(conn, self.notifier, event)
        rule = rule_for(event.source.rsplit("/", 1)[-1], event.event_type)
        account_id = event.payload.get("account_id")
        now = self.notifier.clock.now()
        if rule is None or not account_id or now - event.occurred_at > self.notifier.stale_after:
            return
        metadata = Metadata(correlation_id=event.correlation_id or new_correlation_id(),
                            causation_id=event.event_id, actor="notifications")
        await notify_account(conn, self.notifier, rule, str(account_id), dict(event.payload),
                             source_event_id=event.event_id, metadata=metadata, now=now)
