"""Builders the notifications tests share: the other services' events in their published shape
(docs/events.md), the service's own events as the gateway reads them, and internal API requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.projection import IncomingEvent

#: The internal API's token in the tests' settings.
TOKEN = {"x-internal-token": "test-internal-token"}


# -- billing.accounts.events -----------------------------------------------------------------------
def user_created(user_id: str, account_id: str, *, phone: str | None = None) -> dict[str, Any]:
    return {"user_id": user_id, "role": "subscriber", "login": account_id, "phone": phone,
            "account_ids": [account_id], "organization_id": None, "must_change_password": False}


def profile_changed(user_id: str, account_id: str, *, language: str = "ru", email: str | None = None,
                    phone: str | None = None, confirmed: bool = True) -> dict[str, Any]:
    return {"user_id": user_id, "account_ids": [account_id], "full_name": "Test Subscriber",
            "contact_phone": phone, "sms_phone": phone, "sms_phone_confirmed": confirmed, "email": email,
            "address": None, "language": language}


def preferences_changed(user_id: str, account_id: str, preferences: dict[str, list[str]]) -> dict[str, Any]:
    return {"user_id": user_id, "account_ids": [account_id], "preferences": preferences}


def account_opened(account_id: str, payment_form: str = "prepaid") -> dict[str, Any]:
    return {"account_id": account_id, "client_id": f"c-{account_id}", "contract_number": account_id,
            "payment_form": payment_form, "opened_at": "2026-01-01T00:00:00+00:00", "opening_balance": "0.00"}


def service_line_added(account_id: str, monthly_fee: str) -> dict[str, Any]:
    return {"account_id": account_id, "line_id": f"l-{account_id}", "kind": "internet", "identifier": account_id,
            "subscriber_name": "Test", "tariff_id": "t-50", "tariff_name": "Безлимитный 50", "monthly_fee": monthly_fee,
            "vat_rate": "20"}


def tariff_changed(account_id: str, monthly_fee: str, effective_from: str) -> dict[str, Any]:
    return {"account_id": account_id, "line_id": f"l-{account_id}", "from_tariff_id": "t-50",
            "to_tariff_id": "t-100", "tariff_name": "Безлимитный 100", "monthly_fee": monthly_fee, "vat_rate": "20",
            "mode": "next_period", "effective_from": effective_from}


def add_on_connected(account_id: str, service_id: str, monthly_fee: str, on: str) -> dict[str, Any]:
    return {"account_id": account_id, "line_id": f"l-{account_id}", "service_id": service_id,
            "name": f"Add-on {service_id}", "monthly_fee": monthly_fee, "on": on}


BLOCK = {"account_id": "1015", "block_id": "b-1", "starts_on": "2026-12-01", "ends_on": "2026-12-14",
         "days": 14, "fee": "0.00"}


# -- billing.payments.events -----------------------------------------------------------------------
def payment_registered(account_id: str = "1015", amount: str = "1234.50", **change: Any) -> dict[str, Any]:
    return {"account_id": account_id, "payment_id": "p-1", "amount": amount, "method": "cash",
            "external_id": "cash-1", "paid_at": "2026-11-20T10:00:00+00:00", "registered_by": "operator", **change}


PAYMENT = payment_registered()
PROMISED = {"account_id": "1015", "promised_payment_id": "pp-1", "amount": "25.00",
            "taken_at": "2026-11-18T09:00:00+00:00", "due_at": "2026-11-21T19:30:00+00:00"}


def promised_payment_repaid(account_id: str, promised_payment_id: str, amount: str, outstanding: str) -> dict[str, Any]:
    return {"account_id": account_id, "promised_payment_id": promised_payment_id, "amount": amount,
            "outstanding": outstanding, "fully_repaid": outstanding == "0.00"}


# -- requests to the internal API ------------------------------------------------------------------
CODE = "731905"
PASSWORD = "Tmp-9fK2xQ7m"


def secret_request(now: datetime, **change: Any) -> dict[str, Any]:
    """A login code for user u-1 of accounts 1015 and 1016, by SMS, valid 5 minutes from `now`."""
    return {
        "kind": "login_code", "user_id": "u-1", "account_ids": ["1015", "1016"], "channel": "sms",
        "address": "375291111111", "language": "ru", "secret": CODE,
        "expires_at": (now + timedelta(minutes=5)).isoformat(), **change,
    }


# -- billing.notifications.events, as the gateway's projection reads them ---------------------------
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def message_event(kind: str, message_id: str, version: int, **payload: Any) -> IncomingEvent:
    return IncomingEvent(
        event_id=f"00000000-0000-0000-0000-{version:04d}{message_id[-8:]:0>8}", source="/billing/notifications",
        event_type=kind, schema_version=1, stream_id=f"message-{message_id}", stream_version=version,
        global_position=None, subject="1015", occurred_at=AT, payload={"message_id": message_id, **payload},
    )


def queued(message_id: str, accounts: list[str], channel: str, minutes: int) -> IncomingEvent:
    return message_event(
        "MessageQueued", message_id, 1, account_id=accounts[0], account_ids=accounts, topic="payment_received",
        template="payment_received", channel=channel, address_masked="37529*****11", language="ru",
        source_event_id="e", source_event_type="PaymentRegistered", urgent=False,
        queued_at=(AT + timedelta(minutes=minutes)).isoformat(), send_after=AT.isoformat(), subject=None,
        text=f"message {message_id}", unknown_future_field="ignored",
    )
