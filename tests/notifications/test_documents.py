"""A document (a call-detail file the telephony service built) e-mailed as an attachment: queued
once per document id, sent by the same tries as any message; bad input changes nothing."""

from __future__ import annotations

import base64

from tests.notifications.conftest import Notifications
from tests.notifications.factories import TOKEN

CSV = "started_at;direction;caller;callee;duration_s\n2026-11-18T10:00:00+03:00;out;375170003003;375331234567;61\n"


def document(**changes: object) -> dict[str, object]:
    return {"document_id": "detail-1", "kind": "call_detail", "address": "admin@alfa-telecom.example",
            "account_ids": ["3003"], "subject": "Детализация звонков", "text": "Детализация во вложении.",
            "filename": "detail-2026-11.csv", "content_type": "text/csv",
            "content_base64": base64.b64encode(CSV.encode()).decode(), **changes}


async def test_a_document_is_mailed_once_as_an_attachment(notifications: Notifications) -> None:
    headers = {**TOKEN, "x-actor": "telephony"}
    first = await notifications.client.post("/internal/v1/deliveries/document", headers=headers, json=document())
    assert first.status_code == 202, first.text
    assert first.json()["address_masked"] != "admin@alfa-telecom.example"
    again = await notifications.client.post("/internal/v1/deliveries/document", headers=headers, json=document())
    assert (again.status_code, again.json()["message_id"]) == (200, first.json()["message_id"])
    await notifications.outbox(sms=0, email=1)
    mail = notifications.smtp.received[0]
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "detail-2026-11.csv"
    assert attachment.get_content().replace("\r\n", "\n") == CSV
    assert mail["Subject"] == "Детализация звонков"


async def test_a_bad_document_is_refused_and_queues_nothing(notifications: Notifications) -> None:
    for bad in (document(content_base64="***"), document(address="not-an-address"), document(content_type="x/y"),
                document(filename="../etc/passwd")):
        answer = await notifications.client.post("/internal/v1/deliveries/document", headers=TOKEN, json=bad)
        assert answer.status_code == 400, answer.text
    assert await notifications.deliveries() == []
