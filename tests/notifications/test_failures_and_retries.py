"""An SMTP server that is down: tries with backoff, then a visible failed state, while the
service goes on with everything else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.gateway.projections.messages import message_list
from shared.db import Pool
from shared.devstack import free_port
from tests.eventually import eventually
from tests.notifications.conftest import Notifications
from tests.notifications.factories import BLOCK, PAYMENT


@pytest.fixture
def smtp_sink(smtp_sink: object) -> tuple[object, int]:
    """No SMTP server listens where the service sends its e-mail."""
    return smtp_sink[0], free_port()  # type: ignore[index]


@pytest.mark.parametrize("notifications", [{"delivery_max_attempts": 3}], indirect=True)
async def test_smtp_down_retries_with_backoff_then_fails_visibly_and_other_messages_go_on(
    notifications: Notifications, cabinet_messages: Pool,
) -> None:
    await notifications.subscriber("u-1", "1015", email="ivan@example.com", phone="375291111111")
    await notifications.publish("payments", "PaymentRegistered", PAYMENT, stream_id="payment-account-1015")

    async def email(attempts: int, status: str = "queued") -> bool:
        rows = await notifications.sql("SELECT * FROM deliveries WHERE channel = 'email'"
                                       " AND source_event_type = 'PaymentRegistered'")
        return bool(rows) and rows[0]["attempts"] == attempts and rows[0]["status"] == status

    await eventually(lambda: email(1))
    await notifications.outbox(sms=1, email=0)  # the SMS went out regardless
    # The next try waits for the backoff (1 minute, then 2): not a second earlier.
    notifications.clock.advance(timedelta(seconds=59))
    await notifications.outbox(sms=1, email=0)
    assert await email(1)
    notifications.clock.advance(timedelta(seconds=1))
    await eventually(lambda: email(2))

    # Meanwhile other events are processed and sent as usual.
    await notifications.publish("accounts", "BlockScheduled", BLOCK, stream_id="account-1015")
    await notifications.outbox(sms=2, email=0)
    assert "запланирована с 01.12.2026 по 14.12.2026" in notifications.sms.received[1]["text"]

    notifications.clock.advance(timedelta(minutes=2))
    await eventually(lambda: email(3, "failed"))
    row = (await notifications.sql("SELECT last_error FROM deliveries WHERE channel = 'email'"
                                   " AND source_event_type = 'PaymentRegistered'"))[0]
    assert row["last_error"].startswith("smtp:")
    kinds = [r["event_type"] for r in await notifications.sql(
        "SELECT e.event_type FROM events e JOIN deliveries d ON e.stream_id = 'message-' || d.message_id"
        " WHERE d.channel = 'email' AND d.source_event_type = 'PaymentRegistered' ORDER BY e.stream_version")]
    assert kinds == ["MessageQueued", "MessageAttemptFailed", "MessageAttemptFailed", "MessageFailed"]
    # Nothing is tried after the end, however long one waits.
    notifications.clock.advance(timedelta(days=1))
    await notifications.outbox(sms=2, email=0)

    # The cabinet's list shows both e-mails failed (the block's ran out of tries meanwhile),
    # next to the SMS that went out.
    async def listed() -> bool:
        page = await message_list(cabinet_messages, "1015", status=None, limit=10, offset=0)
        return sorted((i["channel"], i["status"]) for i in page["items"]) == [
            ("email", "failed"), ("email", "failed"), ("sms", "sent"), ("sms", "sent")]

    await eventually(listed)
    failed = await message_list(cabinet_messages, "1015", status="failed", limit=10, offset=0)
    payment = next(i for i in failed["items"] if i["template"] == "payment_received")
    assert payment["address_masked"] == "i***@example.com"
    assert payment["attempts"] == 3 and payment["last_error"].startswith("smtp:")
    assert "1 234,50" in payment["text"]
    assert failed["total"] == 2
