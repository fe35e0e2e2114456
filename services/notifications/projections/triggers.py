"""The service's subscriber to billing.accounts.events, billing.payments.events and
billing.invoicing.events.

A projection (shared/projection.py): each event is applied once, in one transaction with the
record that it was. Applying it keeps what the service knows up to date (recipients, funds, fees,
promised payments: the other modules here) and, when the catalogue has a rule for it, queues the
messages it calls for. An event older than `stale_after` on arrival updates what is known but
sends nothing."""

from __future__ import annotations

from services.notifications.application.context import Notifier
from services.notifications.application.invoices import mail_invoice
from services.notifications.application.notify import notify_account
from services.notifications.domain.catalog import ADDRESSED_RULES, SOURCES, rule_for
from services.notifications.projections import Apply, funds, promised_payments, recipients
from shared.cloudevents import topic_for
from shared.db import Connection
from shared.eventstore import Metadata
from shared.logging import new_correlation_id
from shared.projection import IncomingEvent

__all__ = ["KNOWLEDGE", "NotificationTriggers"]

#: What each event changes in what the service knows (before any message it calls for).
KNOWLEDGE: dict[str, Apply] = {**recipients.APPLY, **funds.APPLY, **promised_payments.APPLY}
#: Whose events the service reads: those the catalogue has messages for, and invoicing's charges and
#: fee forecasts (what it knows of an account's money).
LEARNS_FROM = ("accounts", "payments", "invoicing")


class NotificationTriggers:
    name = "notifications.triggers"

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.topics = tuple(topic_for(source) for source in sorted({*SOURCES, *LEARNS_FROM}))

    async def apply(self, conn: Connection, event: IncomingEvent) -> None:
        knowledge = KNOWLEDGE.get(event.event_type)
        if knowledge is not None:
            await knowledge(conn, self.notifier, event)
        source = event.source.rsplit("/", 1)[-1]
        addressed = ADDRESSED_RULES.get(event.event_type)
        rule = rule_for(source, event.event_type)
        account_id = event.payload.get("account_id")
        now = self.notifier.clock.now()
        if not account_id or now - event.occurred_at > self.notifier.stale_after:
            return
        metadata = Metadata(correlation_id=event.correlation_id or new_correlation_id(),
                            causation_id=event.event_id, actor="notifications")
        if addressed is not None and addressed.source == source:
            await mail_invoice(conn, self.notifier, addressed, dict(event.payload), source_event_id=event.event_id,
                               metadata=metadata, now=now)
            return
        if rule is None:
            return
        await notify_account(conn, self.notifier, rule, str(account_id), dict(event.payload),
                             source_event_id=event.event_id, metadata=metadata, now=now,
                             only_user=str(event.payload.get("author_user_id", "")) if rule.to_author else None)
