"""The cabinet's payment read models (gateway.cabinet_payments) fed with billing.payments.events in
their documented shape: funds counted as docs/events.md says, promised payments, autopay,
guarantees, reversals; a redelivered batch changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.gateway.projections.cabinet_payments import CabinetPayments
from services.gateway.projections.cabinet_payments_queries import (
    account_balance,
    autopay_settings,
    guarantee_history,
    payment_history,
    promised_payment_history,
)
from shared.db import Pool
from shared.projection import IncomingEvent, apply_batch
from tests.conftest import migrated_pool

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "gateway" / "migrations"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PAY_1, PAY_2 = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture
async def gateway_pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await migrated_pool(database_url, "gateway", MIGRATIONS)
    yield pool
    await pool.close()


def stream(*events: tuple[str, dict[str, Any]], account: str = "2002") -> list[IncomingEvent]:
    return [
        IncomingEvent(event_id=str(uuid.uuid4()), source="/billing/payments", event_type=kind, schema_version=1,
                      stream_id=f"payment-account-{account}", stream_version=n, global_position=n, subject=account,
                      occurred_at=T0 + timedelta(hours=n), payload={"account_id": account, **payload})
        for n, (kind, payload) in enumerate(events, start=1)
    ]


def paid(payment_id: str, amount: str, hours: int) -> tuple[str, dict[str, Any]]:
    return ("PaymentRegistered", {"payment_id": payment_id, "amount": amount, "method": "cash",
                                  "external_id": f"cash-{payment_id[:6]}", "registered_by": "operator",
                                  "paid_at": (T0 + timedelta(hours=hours)).isoformat()})


HISTORY = stream(
    ("PromisedPaymentTaken", {"promised_payment_id": "pp-1", "amount": "650.00", "taken_at": T0.isoformat(),
                              "due_at": (T0 + timedelta(days=3)).isoformat()}),
    paid(PAY_1, "200.00", 2),
    ("PromisedPaymentRepaid", {"promised_payment_id": "pp-1", "amount": "200.00", "outstanding": "450.00",
                               "fully_repaid": False, "payment_id": PAY_1}),
    ("PromisedPaymentExpired", {"promised_payment_id": "pp-1", "withdrawn": "450.00"}),
    paid(PAY_2, "50.00", 5),
    ("PaymentReversed", {"payment_id": PAY_2, "amount": "50.00", "reason": "bank recalled it",
                         "reversed_by": "operator:op-1"}),
    ("AutopayEnabled", {"provider": "sandbox", "method_masked": "****4242", "cap": None}),
    ("AutopayChanged", {"provider": "sandbox", "method_masked": "****4242", "cap": "300.00"}),
    ("AutopayFailed", {"period": "2026-12", "amount": "300.00", "reason": "card_declined"}),
    ("PaymentGuaranteeRegistered", {"guarantee_id": "g-1", "amount": "120.00", "pay_by": "2026-12-10",
                                    "invoice_ref": None, "registered_at": T0.isoformat()}),
)


async def test_funds_count_payments_and_credit_as_the_contract_says(gateway_pool: Pool) -> None:
    taken_only = HISTORY[:1]
    assert await apply_batch(gateway_pool, CabinetPayments(), taken_only) == 1
    funds = await account_balance(gateway_pool, "2002")
    assert funds is not None
    assert (funds["balance"], funds["available"], funds["promised_outstanding"]) == ("650.00", "650.00", "650.00")
    assert await apply_batch(gateway_pool, CabinetPayments(), HISTORY) == len(HISTORY) - 1
    assert await apply_batch(gateway_pool, CabinetPayments(), HISTORY) == 0  # redelivered: nothing twice
    # 650 credit + 200 paid - 200 repaid - 450 withdrawn + 50 paid - 50 reversed = what was paid and kept
    funds = await account_balance(gateway_pool, "2002")
    assert funds is not None
    assert (funds["balance"], funds["paid_total"], funds["promised_outstanding"]) == ("200.00", "250.00", "0.00")
    assert await account_balance(gateway_pool, "9999") is None


async def test_promised_payments_autopay_guarantees_and_reversals_read_back(gateway_pool: Pool) -> None:
    await apply_batch(gateway_pool, CabinetPayments(), HISTORY)
    promised = await promised_payment_history(gateway_pool, "2002", limit=10, offset=0)
    assert promised["outstanding"] is None and promised["total"] == 1
    [item] = promised["items"]
    assert (item["status"], item["repaid"], item["withdrawn"], item["outstanding"]) == (
        "expired", "200.00", "450.00", "0.00")
    autopay = await autopay_settings(gateway_pool, "2002")
    assert autopay["enabled"] and autopay["cap"] == "300.00" and autopay["method_masked"] == "****4242"
    assert autopay["last_charge"] == {"period": "2026-12", "outcome": "failed", "amount": "300.00",
                                      "reason": "card_declined"}
    guarantees = await guarantee_history(gateway_pool, "2002", datetime(2026, 10, 1, tzinfo=UTC))
    assert [g["pay_by"] for g in guarantees["items"]] == ["2026-12-10"]
    assert (await guarantee_history(gateway_pool, "2002", datetime(2026, 12, 1, tzinfo=UTC)))["items"] == []
    history = await payment_history(gateway_pool, "2002", start=None, end=None, limit=10, offset=0)
    assert history["total"] == 2
    assert await autopay_settings(gateway_pool, "9999") == {
        "account_id": "9999", "enabled": False, "provider": None, "method_masked": None, "cap": None,
        "last_charge": None}


async def test_disabling_autopay_keeps_no_method(gateway_pool: Pool) -> None:
    events = stream(("AutopayEnabled", {"provider": "sandbox", "method_masked": "****4242", "cap": "50.00"}),
                    ("AutopayDisabled", {}), account="1015")
    await apply_batch(gateway_pool, CabinetPayments(), events)
    autopay = await autopay_settings(gateway_pool, "1015")
    assert not autopay["enabled"] and autopay["method_masked"] is None and autopay["cap"] is None
