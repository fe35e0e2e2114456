"""Every rule's messages exist in Russian and English and render from a sample payload
(the Jinja2 templates adapter over the template files)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from services.notifications.adapters.templates import Templates
from services.notifications.domain.catalog import ADDRESSED_RULES, RULES, SECRET_RULES

MINSK = ZoneInfo("Europe/Minsk")


SAMPLES = {
    "payment_received": {"amount": "150.00", "paid_at": "2026-11-20T10:00:00+00:00"},
    "promised_payment_taken": {"amount": "25.00", "due_at": "2026-11-23T10:00:00+00:00"},
    "promised_payment_due": {"amount": "25.00", "due_at": "2026-11-23T10:00:00+00:00"},
    "promised_payment_expired": {"withdrawn": "12.50"},
    "autopay_charged": {"amount": "30.00", "period": "2026-12"},
    "autopay_failed": {"amount": "30.00", "period": "2026-12", "reason": "card declined"},
    "block_scheduled": {"starts_on": "2026-12-01", "ends_on": "2026-12-14", "days": 14},
    "block_started": {"at": "2026-12-01T00:00:00+03:00"},
    "block_ended": {"at": "2026-12-15T00:00:00+03:00", "early": False},
    "financial_block_applied": {"available": "-3.20"},
    "financial_block_lifted": {"available": "10.00"},
    "period_end_reminder": {"available": "10.00", "fees": "30.00", "shortfall": "20.00", "period_start": "2026-12-01"},
    "invoice_issued": {"number": "INV-2026-000001", "period": "2026-11-01", "total": "650.0000",
                       "due_on": "2026-12-10"},
    "invoice_document_ready": {"number": "INV-2026-000001", "period": "2026-11-01", "format": "pdf",
                               "file_name": "INV-2026-000001.pdf"},
    "invoice_overdue": {"number": "INV-2026-000001", "total": "650.0000", "due_on": "2026-12-10"},
    "invoice_mail": {"kind": "regular", "number": "INV-2026-000001", "period": "2026-11-01",
                     "file_name": "INV-2026-000001.pdf"},
    "support_request_filed": {"title": "Нет интернета с утра", "text": "Роутер мигает"},
    "support_request_answered": {"text": "Перезагрузите роутер, пожалуйста."},
    "support_request_closed": {},
    "temporary_password": {"secret": "******", "expires_at": "2026-11-21T10:00:00+00:00"},
    "login_code": {"secret": "******", "expires_at": "2026-11-20T10:05:00+00:00"},
    "phone_confirmation_code": {"secret": "******", "expires_at": "2026-11-20T10:05:00+00:00"},
}


@pytest.mark.parametrize("rule", [*RULES.values(), *ADDRESSED_RULES.values(), *SECRET_RULES.values()],
                         ids=lambda rule: rule.template)
def test_every_rule_has_its_messages_in_russian_and_english(rule: object) -> None:
    templates = Templates("BYN", MINSK)
    template = rule.template  # type: ignore[attr-defined]
    for language in ("ru", "en"):
        sms = templates.render(template, "sms", language, {"account_id": "1015", **SAMPLES[template]})
        email = templates.render(template, "email", language, {"account_id": "1015", **SAMPLES[template]})
        assert sms.subject is None and sms.text and len(sms.text) <= 160 * 2
        assert email.subject and email.text.startswith("Здравствуйте!" if language == "ru" else "Hello,")
        assert "{" not in sms.text + email.text
