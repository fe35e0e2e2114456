"""A support request's changes reach its author, and only its author: another subscriber of the
same account hears nothing of it."""

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
