"""One message to one address: queued, then sent or failed, pure (a fake clock's instants)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notifications.domain.events import MessageAttemptFailed, MessageFailed, MessageQueued, MessageSent
from services.notifications.domain.message import Message, MessageDraft
from shared.clock import FakeClock


def test_a_message_records_one_outcome_and_ignores_late_ones() -> None:
    now = FakeClock(datetime(2026, 11, 20, 10, tzinfo=UTC)).now()
    message = Message("message-m-1")
    draft = MessageDraft("e-1", "PaymentRegistered", "payment_received", "payment_received", "sms", "375291234567",
                         "37529*****67", "ru", ("1015",), "u-1", False, None, "text")
    queued = message.queue(draft, now, now + timedelta(hours=1))
    assert isinstance(queued[0], MessageQueued) and queued[0].deferred and queued[0].partition_key == "1015"
    message.replay(queued)
    assert message.queue(draft, now, now) == []
    retry = message.record_failure(1, "smtp: down", final=False, next_attempt_at=now, now=now)
    assert isinstance(retry[0], MessageAttemptFailed)
    message.replay(retry)
    sent = message.record_sent(2, now)
    assert isinstance(sent[0], MessageSent) and sent[0].attempt == 2
    message.replay(sent)
    assert message.record_sent(3, now) == [] and message.record_failure(3, "x", final=True, next_attempt_at=None,
                                                                       now=now) == []
    failed = Message("message-m-2")
    failed.replay(failed.queue(draft, now, now))
    [end] = failed.record_failure(5, "sms gateway: HTTP 400", final=True, next_attempt_at=None, now=now)
    assert isinstance(end, MessageFailed) and end.attempts == 5
    lone = MessageDraft(**{**draft.__dict__, "account_ids": ()})
    assert Message("message-m-3").queue(lone, now, now)[0].partition_key == "message-m-3"


def test_a_refused_address_ends_the_message_as_refused_and_version_1_reads_as_not_refused() -> None:
    from shared.events import registry

    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    draft = MessageDraft("e-1", "PaymentRegistered", "payment_received", "payment_received", "sms", "375291234567",
                         "37529*****67", "ru", ("1015",), "u-1", False, None, "text")
    refused = Message("message-m-4")
    refused.replay(refused.queue(draft, now, now))
    [end] = refused.record_failure(1, "sms gateway: HTTP 400", final=True, next_attempt_at=None, now=now,
                                   refused=True)
    assert isinstance(end, MessageFailed) and end.refused and end.schema_version == 2
    ran_out = Message("message-m-5")
    ran_out.replay(ran_out.queue(draft, now, now))
    [end] = ran_out.record_failure(5, "smtp: down", final=True, next_attempt_at=None, now=now)
    assert isinstance(end, MessageFailed) and not end.refused
    v1 = {k: v for k, v in end.to_payload().items() if k != "refused"}
    upcast = registry.load("MessageFailed", 1, v1)
    assert isinstance(upcast, MessageFailed) and upcast.refused is False and upcast.attempts == 5
