"""Support request rules, pure: filing, the thread's numbering, who may write after closing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.accounts.adapters.catalogue import load_knowledge_base
from services.accounts.domain.support import (
    SupportRequest,
    SupportRequestAnswered,
    SupportRequestClosed,
    SupportRequestCommented,
    SupportRequestFiled,
)
from services.accounts.settings import KNOWLEDGE_BASE
from shared.errors import DomainError, NotFound

AT = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


def _filed() -> SupportRequest:
    request = SupportRequest("support-r1")
    request.replay(request.file("1015", "u1015", "internet", "  Нет интернета  ", "С утра не работает", AT))
    return request


def test_a_filed_request_names_its_account_and_author_and_trims_the_title() -> None:
    [filed] = SupportRequest("support-r1").file("1015", "u1015", "internet", "  Нет интернета  ", "текст", AT)
    assert isinstance(filed, SupportRequestFiled)
    assert (filed.account_id, filed.author_user_id, filed.title, filed.request_id) == (
        "1015", "u1015", "Нет интернета", "r1")


@pytest.mark.parametrize(("topic", "title", "text", "code"), [
    ("weather", "t", "x", "support_request.bad_topic"),
    ("internet", "   ", "x", "support_request.bad_title"),
    ("internet", "t", " \n ", "support_request.bad_text"),
    ("internet", "t" * 201, "x", "support_request.bad_title"),
])
def test_a_request_without_a_known_topic_a_title_or_a_text_is_refused(topic: str, title: str, text: str,
                                                                        code: str) -> None:
    with pytest.raises(DomainError) as refused:
        SupportRequest("support-r1").file("1015", "u1015", topic, title, text, AT)
    assert refused.value.code == code


def test_answers_and_comments_number_the_thread_and_name_the_author() -> None:
    request = _filed()
    answered = request.answer("1015", "operator-1", "Перезагрузите роутер", AT)
    request.replay(answered)
    commented = request.comment("1015", "u1015", "Помогло", AT)
    assert isinstance(answered[0], SupportRequestAnswered) and answered[0].message_no == 2
    assert isinstance(commented[0], SupportRequestCommented) and commented[0].message_no == 3
    assert answered[0].author_user_id == commented[0].author_user_id == "u1015"


def test_a_closed_request_takes_no_more_messages_and_cannot_be_closed_again() -> None:
    request = _filed()
    closed = request.close("1015", "operator-1", AT)
    assert isinstance(closed[0], SupportRequestClosed)
    request.replay(closed)
    for write in (lambda: request.answer("1015", "operator-1", "x", AT), lambda: request.comment("1015", "u1015", "x", AT),
                  lambda: request.close("1015", "operator-1", AT)):
        with pytest.raises(DomainError) as refused:
            write()
        assert refused.value.code == "support_request.closed"


def test_a_request_is_not_found_under_another_account_or_before_it_is_filed() -> None:
    with pytest.raises(NotFound):
        _filed().answer("2002", "operator-1", "x", AT)
    with pytest.raises(NotFound):
        SupportRequest("support-r2").comment("1015", "u1015", "x", AT)


def test_the_shipped_knowledge_base_loads_with_unique_pages() -> None:
    pages = load_knowledge_base(KNOWLEDGE_BASE)
    assert len(pages) >= 3 and len({p.page_id for p in pages}) == len(pages)
    assert any("договора и ФИО" in p.text for p in pages)
