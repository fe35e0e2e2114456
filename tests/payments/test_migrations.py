"""The payments schema's migrations against a real PostgreSQL: rows written before a migration keep
working after it."""

from __future__ import annotations

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
from tests.payments.factories import MINSK, NOW, OPENED, account_event, feed_facts, opened_account


async def test_an_add_on_connected_before_the_shared_item_ids_is_disconnected_after_them(database_url: str) -> None:
    migrations = discover(KERNEL_SQL, MIGRATIONS, prefixes=("kernel", "payments"))
    before = [m for m in migrations if m.name < "payments/003"]
    assert len(before) < len(migrations)
    await apply_migrations(database_url, "payments", before)
    pool = await create_pool(database_url, "payments", max_size=4)
    try:
        await feed_facts(pool, opened_account("1015", OPENED, fee="25.00"))
        await pool.execute(  # as the projection wrote an add-on before migration 003
            "INSERT INTO account_fees (account_id, item_id, monthly_fee, active_from)"
            " VALUES ('1015', 'addon:line-1015:tv', 7.00, '2026-11-02')"
        )
        assert await apply_migrations(database_url, "payments", migrations) == ["payments/003_add_on_item_ids.sql"]
        payments = wire_payments(EventStore(pool, registry), FakeClock(NOW), MINSK, Providers())
        facts = await facts_for(payments, "1015")
        assert facts is not None and facts.monthly_fee == Decimal("32.00")
        await feed_facts(pool, [account_event("AddOnDisconnected", "1015", 3, line_id="line-1015", service_id="tv",
                                              name="TV", monthly_fee="7.00", on="2026-11-25")])
        facts = await facts_for(payments, "1015")
        assert facts is not None and facts.monthly_fee == Decimal("32.00") and facts.next_period_fee == Decimal("25.00")
    finally:
        await pool.close()
