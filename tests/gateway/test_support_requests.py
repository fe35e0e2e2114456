"""Support requests through the gateway: the subscriber files one and sees it in the list, the
operator answers (the response time appears) and closes it; only operators close; a closed request
takes no more messages; the knowledge base is there for any logged-in caller."""

from __future__ import annotations

from datetime import timedelta

from tests.accounts.factories import events_of
from tests.gateway.factories import OPERATOR, ORG_ADMIN, SUBSCRIBER, Cabinet

BASE = "/api/v1/accounts/1015/support-requests"


async def test_a_request_is_filed_answered_and_closed_with_its_thread_and_response_time(cabinet: Cabinet) -> None:
    subscriber, operator = await cabinet.login(*SUBSCRIBER), await cabinet.login(*OPERATOR)
    filed = await cabinet.client.post(BASE, headers={**subscriber, "idempotency-key": "req-1"},
                                      json={"topic": "internet", "title": "Нет интернета", "text": "С утра"})
    assert filed.status_code == 201, filed.text
    request_id = filed.json()["request_id"]
    again = await cabinet.client.post(BASE, headers={**subscriber, "idempotency-key": "req-1"},
                                      json={"topic": "internet", "title": "Нет интернета", "text": "С утра"})
    assert again.status_code == 200 and again.json()["request_id"] == request_id  # filed once

    listed = (await cabinet.client.get(BASE, headers=subscriber)).json()
    assert listed["total"] == 1
    assert listed["items"][0] | {"filed_at": None, "updated_at": None} == {
        "request_id": request_id, "topic": "internet", "title": "Нет интернета", "status": "open",
        "filed_at": None, "updated_at": None, "response_time_s": None}

    cabinet.clock.advance(timedelta(minutes=10))  # within the access token's 15 minutes
    answered = await cabinet.client.post(f"{BASE}/{request_id}/messages", headers=operator,
                                         json={"text": "Перезагрузите роутер"})
    assert answered.status_code == 200 and answered.json()["messages"] == 2
    follow_up = await cabinet.client.post(f"{BASE}/{request_id}/messages", headers=subscriber, json={"text": "Помогло"})
    assert follow_up.status_code == 200

    refused = await cabinet.client.post(f"{BASE}/{request_id}/close", headers=subscriber)
    assert refused.status_code == 403 and refused.json()["code"] == "support_request.operator_only"
    closed = await cabinet.client.post(f"{BASE}/{request_id}/close", headers=operator)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    thread = (await cabinet.client.get(f"{BASE}/{request_id}", headers=subscriber)).json()
    assert [(m["by"], m["text"]) for m in thread["messages"]] == [
        ("author", "С утра"), ("operator", "Перезагрузите роутер"), ("author", "Помогло")]
    assert thread["status"] == "closed" and thread["response_time_s"] == 600
    assert thread["author_user_id"] == "u1015"

    late = await cabinet.client.post(f"{BASE}/{request_id}/messages", headers=subscriber, json={"text": "ещё"})
    assert late.status_code == 422 and late.json()["code"] == "support_request.closed"
    kinds = [e["type"] for e in await events_of(cabinet.database_url) if e["stream_id"] == f"support-{request_id}"]
    assert kinds == ["SupportRequestFiled", "SupportRequestAnswered", "SupportRequestCommented", "SupportRequestClosed"]


async def test_bad_requests_change_nothing_and_a_foreign_request_is_not_found(cabinet: Cabinet) -> None:
    subscriber, admin = await cabinet.login(*SUBSCRIBER), await cabinet.login(*ORG_ADMIN)
    before = len(await events_of(cabinet.database_url))
    for body in ({"topic": "weather", "title": "t", "text": "x"}, {"topic": "internet", "title": "", "text": "x"},
                 {"topic": "internet", "title": "t"}, {"topic": "internet", "title": "t", "text": "x", "extra": 1}):
        answer = await cabinet.client.post(BASE, headers=subscriber, json=body)
        assert answer.status_code == 400 and answer.json()["code"] == "request.invalid", body
    blank = await cabinet.client.post(BASE, headers=subscriber, json={"topic": "internet", "title": "  ", "text": "x"})
    assert blank.status_code == 422 and blank.json()["code"] == "support_request.bad_title"
    assert len(await events_of(cabinet.database_url)) == before

    mine = (await cabinet.client.post("/api/v1/accounts/3003/support-requests", headers=admin,
                                      json={"topic": "telephony", "title": "SIP", "text": "Нет регистрации"})).json()
    # The same request id under the subscriber's own account is not theirs: 404, nothing shown.
    foreign = await cabinet.client.get(f"{BASE}/{mine['request_id']}", headers=subscriber)
    assert foreign.status_code == 404 and foreign.json()["code"] == "support_request.not_found"
    assert (await cabinet.client.get(BASE, headers=subscriber)).json()["total"] == 0


async def test_the_knowledge_base_is_listed_for_a_logged_in_caller_only(cabinet: Cabinet) -> None:
    assert (await cabinet.client.get("/api/v1/knowledge-base")).status_code == 401
    pages = (await cabinet.client.get("/api/v1/knowledge-base", headers=await cabinet.login(*SUBSCRIBER))).json()
    assert "lost-credentials" in [page["page_id"] for page in pages["pages"]]
