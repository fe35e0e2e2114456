"""The one table of what the service says and how, pure."""

from __future__ import annotations

from services.notifications.domain.catalog import RULES, SECRET_RULES, TOPICS, channels_for, rule_for


def test_one_rule_per_event_with_its_topic_and_channels_and_preferences_narrow_them() -> None:
    rule = rule_for("payments", "PaymentRegistered")
    assert rule is not None and rule.topic == "payment_received" and rule.channels == ("sms", "email")
    assert rule_for("accounts", "PaymentRegistered") is None  # the event is read from its owner only
    assert rule_for("payments", "TopUpStarted") is None
    assert channels_for(rule, {}) == ("sms", "email")
    assert channels_for(rule, {"payment_received": ["email"]}) == ("email",)
    assert channels_for(rule, {"payment_received": []}) == ()
    assert channels_for(rule, {"blocks": []}) == ("sms", "email")
    assert TOPICS["period_end_reminder"] == ("sms",)
    assert all(rule.urgent for rule in SECRET_RULES.values())
    assert not any(rule.urgent for rule in RULES.values())
