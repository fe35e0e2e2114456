"""The payments service's projection of accounts' events, payment guarantees and reversals,
against a real PostgreSQL store (events fed in their documented shape)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.payments.application.context import Payments, facts_for
from services.payments.application.guarantees import register_guarantee
from services.payments.application.register_payment import register_payment
from services.payments.application.reverse_payment import reverse_payment
from services.payments.domain.account import PaymentAccount, PaymentRequest
from services.payments.domain.guarantee import GuaranteeRefused
from shared.db import Pool
from shared.errors import Conflict, NotFound
from tests.payments.conftest import event_types, payloads
from tests.payments.factories import (
    META,
    NOW,
    OPENED,
    account_event,
    charged,
    feed_facts,
    forecast,
    opened_account,
)


async def test_facts_follow_invoicings_forecasts_and_charges_status_and_redeliveries(
    payments: Payments, payments_pool: Pool
) -> None:
    events = [
        *opened_account("1015", OPENED, fee="25.00", opening_balance="-12.50"),  # forecast 25.00 from January
        # Invoicing's forecasts: November with two add-ons (25 + 5 + 7), December on the new tariff
        # without the TV add-on (30 + 5); an older forecast of November arriving late changes nothing.
        forecast("1015", 2, date(2026, 11, 1), "37.00", at=NOW - timedelta(days=18)),
        forecast("1015", 3, date(2026, 12, 1), "35.00", at=NOW),
        forecast("1015", 4, date(2026, 11, 1), "25.00", at=NOW - timedelta(days=30)),
        charged("1015", 5, "ch-nov-1", "25.0050"),
        charged("1015", 6, "ch-nov-2", "12.0000"),
        charged("1015", 7, "ch-nov-1", "25.0050"),  # the same charge posted again: counted once
        account_event("FinancialBlockApplied", "1015", 3, available="-12.50", at=NOW.isoformat()),
    ]
    assert await feed_facts(payments_pool, events) == len(events)
    assert await feed_facts(payments_pool, events) == 0  # a redelivery changes nothing
    facts = await facts_for(payments, "1015")
    assert facts is not None
    assert facts.opened_at == OPENED and facts.opening_balance == Decimal("-12.50") and not facts.closed
    assert facts.monthly_fee == Decimal("37.00")  # November's forecast, on 20 November
    assert facts.next_period_fee == Decimal("35.00")  # December's
    assert facts.charged == Decimal("37.0050")
    assert PaymentAccount("payment-account-1015").available(facts) == Decimal("-49.51")  # -12.50 - 37.005, once
    january = await facts_for(payments, "1015", date(2027, 1, 1))
    assert january is not None and january.next_period_fee == Decimal("35.00")  # no newer forecast: runs on
    await feed_facts(payments_pool, [account_event("AccountClosed", "1015", 4, at=NOW.isoformat())])
    facts = await facts_for(payments, "1015")
    assert facts is not None and facts.closed


async def test_an_organization_with_an_old_contract_registers_a_guarantee_a_person_cannot(
    payments: Payments, payments_pool: Pool
) -> None:
    await feed_facts(payments_pool, opened_account("7001", OPENED, organization=True, contract_date=date(2026, 2, 1)))
    await feed_facts(payments_pool, opened_account("1015", OPENED))
    result = await register_guarantee(payments, "7001", Decimal("500.00"), date(2026, 12, 10), "INV-2026-11",
                                      META, "g-1")
    assert result.body["pay_by"] == "2026-12-10" and result.body["registered_at"] == NOW.isoformat()
    [registered] = await payloads(payments_pool, "PaymentGuaranteeRegistered", "7001")
    assert registered["invoice_ref"] == "INV-2026-11" and registered["amount"] == "500.00"
    with pytest.raises(GuaranteeRefused) as late:
        await register_guarantee(payments, "7001", Decimal("500.00"), date(2026, 12, 11), None, META)
    assert late.value.code == "guarantee.pay_by_too_late"
    with pytest.raises(GuaranteeRefused) as person:
        await register_guarantee(payments, "1015", Decimal("10.00"), date(2026, 12, 1), None, META)
    assert person.value.code == "guarantee.not_an_organization"
    assert await event_types(payments_pool, "1015") == []


async def test_an_operator_reverses_a_payment_once_and_nothing_is_deleted(
    payments: Payments, payments_pool: Pool
) -> None:
    paid = await register_payment(payments.store, payments.clock,
                                  PaymentRequest("1015", Decimal("150.00"), "cash", "cash-1", NOW), META)
    payment_id = paid.body["payment_id"]
    reversed_ = await reverse_payment(payments, "1015", payment_id, "entered twice", META, "r-1")
    assert reversed_.body == {"account_id": "1015", "payment_id": payment_id, "amount": "150.00",
                              "reason": "entered twice", "reversed": True}
    again = await reverse_payment(payments, "1015", payment_id, "entered twice", META, "r-1")
    assert again.repeated
    with pytest.raises(Conflict) as twice:
        await reverse_payment(payments, "1015", payment_id, "another reason", META, "r-2")
    assert twice.value.code == "payment.already_reversed"
    with pytest.raises(NotFound):
        await reverse_payment(payments, "1015", "no-such-payment", "typo", META)
    assert await event_types(payments_pool) == ["PaymentRegistered", "PaymentReversed"]
