"""Events become messages: the right text in the subscriber's language, through a real SMTP
server and a real HTTP SMS gateway, once per (event, channel, address) however often the event
comes."""

from __future__ import annotations

from tests.eventually import eventually
from tests.notifications.conftest import Notifications
from tests.notifications.factories import PAYMENT, TOKEN, preferences_changed


async def test_a_payment_reaches_each_subscriber_by_sms_and_email_in_their_language(
    notifications: Notifications,
) -> None:
    await notifications.subscriber("u-ru", "1015", language="ru", email="ivan@example.com", phone="375291111111")
    await notifications.subscriber("u-en", "1015", language="en", email="john@example.com", phone="375292222222")
    await notifications.publish("payments", "PaymentRegistered", PAYMENT, stream_id="payment-account-1015")

    await notifications.outbox(sms=2, email=2)
    sms = {m["to"]: m["text"] for m in notifications.sms.received}
    assert sms["375291111111"] == "Лицевой счёт 1015: поступил платёж 1 234,50 руб. Спасибо!"
    assert sms["375292222222"] == "Account 1015: payment of 1,234.50 BYN received. Thank you!"
    mails = {m["To"]: m for m in notifications.smtp.received}
    assert mails["ivan@example.com"]["Subject"] == "Платёж 1 234,50 руб зачислен на счёт 1015"
    assert "поступил платёж 1 234,50 руб (20.11.2026 13:00)" in mails["ivan@example.com"].get_content()
    assert mails["john@example.com"]["Subject"] == "Payment of 1,234.50 BYN credited to account 1015"
    assert "A payment of 1,234.50 BYN reached account 1015 (20 Nov 2026, 13:00)" in (
        mails["john@example.com"].get_content())

    async def all_sent() -> bool:
        rows = await notifications.deliveries()
        return len(rows) == 4 and {r["status"] for r in rows} == {"sent"}

    await eventually(all_sent)



async def test_an_event_delivered_five_times_and_a_republished_topic_send_one_message_each(
    notifications: Notifications,
) -> None:
    await notifications.subscriber("u-1", "1015", email="ivan@example.com", phone="375291111111")
    await notifications.publish("payments", "PaymentRegistered", PAYMENT, stream_id="payment-account-1015", times=5)
    await notifications.outbox(sms=1, email=1)

    # The whole topic again (a relay republishing after a broker loss), twice over: once as the
    # consumer remembers it, once after its bookkeeping was lost (a rebuilt projection).
    await notifications.send_raw("accounts", notifications.published["accounts"])
    await notifications.send_raw("payments", notifications.published["payments"])
    await notifications.outbox(sms=1, email=1)
    await notifications.sql("DELETE FROM projection_streams")
    await notifications.send_raw("payments", notifications.published["payments"])
    await eventually(lambda: notifications.has_row("SELECT 1 FROM projection_streams"))
    await notifications.outbox(sms=1, email=1)
    assert len(await notifications.deliveries()) == 2
    events = await notifications.sql("SELECT count(*) AS n FROM events WHERE event_type = 'MessageQueued'")
    assert events[0]["n"] == 2


async def test_preferences_and_unconfirmed_phones_decide_the_channels(notifications: Notifications) -> None:
    await notifications.subscriber("u-mail", "1015", email="ivan@example.com", phone="375291111111")
    await notifications.subscriber("u-new", "1015", email="anna@example.com", phone="375293333333", confirmed=False)
    await notifications.publish("accounts", "NotificationPreferencesChanged",
                                preferences_changed("u-mail", "1015", {"payment_received": ["email"]}),
                                stream_id="user-u-mail")
    await notifications.caught_up("user-u-mail")
    await notifications.publish("payments", "PaymentRegistered", PAYMENT, stream_id="payment-account-1015")
    await notifications.outbox(sms=0, email=2)
    assert {m["To"] for m in notifications.smtp.received} == {"ivan@example.com", "anna@example.com"}

    # What the cabinet shows: every topic, its default channels and the user's choice.
    shown = await notifications.client.get("/internal/v1/users/u-mail/notification-preferences", headers=TOKEN)
    topics = {t["topic"]: t for t in shown.json()["topics"]}
    assert topics["payment_received"] == {"topic": "payment_received", "default_channels": ["sms", "email"],
                                          "channels": ["email"]}
    assert topics["period_end_reminder"]["channels"] == ["sms"]


async def test_an_old_event_read_late_updates_what_is_known_but_sends_nothing(notifications: Notifications) -> None:
    await notifications.subscriber("u-1", "1015", email="ivan@example.com", phone="375291111111")
    last_year = notifications.clock.now().replace(year=2025)
    await notifications.publish("payments", "PaymentRegistered", PAYMENT, stream_id="payment-account-1015",
                                at=last_year)
    await eventually(lambda: notifications.has_row(
        "SELECT 1 FROM account_funds WHERE account_id = '1015' AND credited = 1234.50"))
    await notifications.outbox(sms=0, email=0)
    assert await notifications.deliveries() == []
