"""The one table of what the service says and how: event type -> topic, template, channels, urgency.

A new event (invoicing, telephony) plugs in as one row here and one template per language in
`templates/`; no code per event. Topics are what subscribers choose channels for
(`NotificationPreferencesChanged.preferences`, docs/events.md); a topic they never chose keeps its
default channels. Urgent messages are never held back by quiet hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.notifications.domain.events import Channel

__all__ = [
    "ADDRESSED_RULES",
    "BOTH",
    "RULES",
    "SECRET_RULES",
    "SOURCES",
    "TOPICS",
    "Rule",
    "channels_for",
    "rule_for",
]

BOTH: tuple[Channel, ...] = ("sms", "email")


@dataclass(frozen=True)
class Rule:
    source: str  # the service whose topic carries the event ("" for the service's own reminders)
    event_type: str
    topic: str
    template: str
    channels: tuple[Channel, ...] = BOTH
    urgent: bool = False
    #: Only the user the event names as `author_user_id` (a support request's author), not every
    #: subscriber of the account.
    to_author: bool = False


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.event_type: rule for rule in rules}


RULES: dict[str, Rule] = _rules(
    Rule("payments", "PaymentRegistered", "payment_received", "payment_received"),
    Rule("payments", "PromisedPaymentTaken", "promised_payment", "promised_payment_taken"),
    Rule("payments", "PromisedPaymentExpired", "promised_payment", "promised_payment_expired"),
    Rule("payments", "AutopayCharged", "autopay", "autopay_charged"),
    Rule("payments", "AutopayFailed", "autopay", "autopay_failed"),
    Rule("accounts", "BlockScheduled", "blocks", "block_scheduled"),
    Rule("accounts", "BlockStarted", "blocks", "block_started"),
    Rule("accounts", "BlockEnded", "blocks", "block_ended"),
    Rule("accounts", "FinancialBlockApplied", "financial_block", "financial_block_applied"),
    Rule("accounts", "FinancialBlockLifted", "financial_block", "financial_block_lifted"),
    Rule("invoicing", "InvoiceIssued", "invoices", "invoice_issued", ("email",)),
    Rule("invoicing", "InvoiceDocumentReady", "invoices", "invoice_document_ready", ("email",)),
    Rule("invoicing", "InvoiceOverdue", "invoices", "invoice_overdue"),
    Rule("accounts", "SupportRequestFiled", "support", "support_request_filed", ("email",), to_author=True),
    Rule("accounts", "SupportRequestAnswered", "support", "support_request_answered", to_author=True),
    Rule("accounts", "SupportRequestClosed", "support", "support_request_closed", ("email",), to_author=True),
    # Reminders the service raises itself, from its durable timers.
    Rule("", "PromisedPaymentDueTomorrow", "promised_payment", "promised_payment_due", ("sms",)),
    Rule("", "PeriodEndReminder", "period_end_reminder", "period_end_reminder", ("sms",)),
)

#: Mail to the addresses an event names (not to the account's cabinet users), with the file it
#: names attached: invoices e-mailed by their delivery settings (seed 004 2.3.1, 2.3.3, 2.3.5).
ADDRESSED_RULES: dict[str, Rule] = _rules(
    Rule("invoicing", "InvoiceMailReady", "invoices", "invoice_mail", ("email",)),
)

#: One-time secrets, posted directly by the accounts service (never from an event). Not a topic a
#: subscriber can switch off; the request names the channel. Login codes must arrive at once.
SECRET_RULES: dict[str, Rule] = _rules(
    Rule("accounts", "temporary_password", "security", "temporary_password", BOTH, urgent=True),
    Rule("accounts", "login_code", "security", "login_code", BOTH, urgent=True),
    Rule("accounts", "phone_confirmation_code", "security", "phone_confirmation_code", BOTH, urgent=True),
)

#: The topics a subscriber may choose channels for, with their default channels.
TOPICS: dict[str, tuple[Channel, ...]] = {}
for _rule in RULES.values():
    TOPICS[_rule.topic] = tuple(dict.fromkeys(TOPICS.get(_rule.topic, ()) + _rule.channels))

#: The services whose topics the service subscribes to.
SOURCES: tuple[str, ...] = tuple(sorted({rule.source for rule in (*RULES.values(), *ADDRESSED_RULES.values())
                                         if rule.source}))


def rule_for(source: str, event_type: str) -> Rule | None:
    rule = RULES.get(event_type)
    return rule if rule is not None and rule.source == source else None


def channels_for(rule: Rule, preferences: Mapping[str, list[str]]) -> tuple[Channel, ...]:
    """The rule's channels the subscriber wants: their choice for the topic, else the default."""
    if rule.topic not in preferences:
        return rule.channels
    chosen = set(preferences[rule.topic])
    return tuple(channel for channel in rule.channels if channel in chosen)
