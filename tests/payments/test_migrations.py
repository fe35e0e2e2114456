"""The payments schema's migrations against a real PostgreSQL: rows written before a migration keep
working after it (migration 003's add-on ids went with the fee table 004 drops)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.payments.adapters.providers import Providers
from services.payments.app import wire_payments
from services.payments.application.context import facts_for
from shared.clock import FakeClock
from shared.db import create_pool
from shared.events import registry
from shared.eventstore import EventStore
from shared.migrations import KERNEL_SQL, apply_migrations, discover
from tests.payments.conftest import MIGRATIONS
from tests.payments.factories import MINSK, NOW, OPENED, charged, feed_facts, forecast


async def test_the_fee_schedule_copy_goes_and_facts_written_before_keep_working_on_invoicings_forecasts(
    database_url: str,
) -> None:
    migrations = discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "payments"))
    before = [m for m in migrations if m.name < "payments/004"]
    assert len(before) < len(migrations)
    await apply_migrations(database_url, "payments", before)
    pool = await create_pool(database_url, "payments", max_size=4)
    try:
        await pool.execute(  # as the projection wrote an account and its line's fee before migration 004
            "INSERT INTO account_facts (account_id, client_id, payment_form, opened_at, opening_balance)"
            " VALUES ('1015', 'client-1015', 'prepaid', $1, -12.50)", OPENED)
        await pool.execute("INSERT INTO account_fees (account_id, item_id, monthly_fee) VALUES ('1015', 'line:l', 25)")
        assert await apply_migrations(database_url, "payments", migrations) == ["payments/004_invoicing_facts.sql"]
        assert await pool.fetchval("SELECT to_regclass('account_fees')") is None
        payments = wire_payments(EventStore(pool, registry), FakeClock(NOW), MINSK, Providers())
        facts = await facts_for(payments, "1015")
        assert facts is not None and facts.opening_balance == Decimal("-12.50")
        assert (facts.monthly_fee, facts.next_period_fee, facts.charged) == (0, 0, 0)  # nothing forecast yet
        await feed_facts(pool, [forecast("1015", 1, date(2026, 12, 1), "25.00"), charged("1015", 2, "c-1", "1.0050")])
        facts = await facts_for(payments, "1015")
        assert facts is not None
        assert (facts.monthly_fee, facts.next_period_fee, facts.charged) == (0, Decimal("25.00"), Decimal("1.0050"))
    finally:
        await pool.close()
