"""A support request's changes reach its author, and only its author: another subscriber of the
same account hears nothing of it; an author not listed on the account (an organization's admin)
still hears."""

from __future__ import annotations

from typing import Any

from tests.notifications.conftest import Notifications


def _support(event: str, **extra: Any) -> dict[str, Any]:
    return {"account_id": "1015", "request_id": "r1", "author_user_id": "u-author",
            "at": "2026-11-20T10:00:00+00:00", **extra}


async def test_an_answer_to_a_support_request_reaches_its_author_only(notifications: Notifications) -> None:
    await notifications.subscriber("u-author", "1015", email="ivan@example.com", phone="375291111111")
    await notifications.subscriber("u-other", "1015", email="anna@example.com", phone="375293333333")
    await notifications.publish("accounts", "SupportRequestFiled",
                                _support("filed", topic="internet", title="Нет интернета", text="С утра"),
                                stream_id="support-r1")
    await notifications.publish("accounts", "SupportRequestAnswered",
                                _support("answered", message_no=2, operator_id="op", text="Перезагрузите роутер"),
                                stream_id="support-r1")
    await notifications.outbox(sms=1, email=2)
    assert {m["To"] for m in notifications.smtp.received} == {"ivan@example.com"}
    assert [m["to"] for m in notifications.sms.received] == ["375291111111"]
    answer = next(m for m in notifications.smtp.received if m["Subject"] == "Ответ на вашу заявку")
    assert "Перезагрузите роутер" in answer.get_content()


async def test_an_author_not_listed_on_the_account_still_hears_that_the_request_was_closed(
    notifications: Notifications,
) -> None:
    # An organization admin's user lists no accounts of the organization (it sees them by organization).
    await notifications.subscriber("u-admin", "elsewhere", email="admin@alfa.by", phone="375170003003")
    await notifications.publish("accounts", "SupportRequestClosed",
                                {"account_id": "3003", "request_id": "r2", "author_user_id": "u-admin",
                                 "operator_id": "op", "at": "2026-11-20T10:00:00+00:00"}, stream_id="support-r2")
    await notifications.outbox(sms=0, email=1)
    assert [m["To"] for m in notifications.smtp.received] == ["admin@alfa.by"]
    assert notifications.smtp.received[0]["Subject"] == "Заявка закрыта"
