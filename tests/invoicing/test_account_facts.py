"""Every account fact invoicing reads, in the shape accounts publishes it (docs/events.md), through
the projection to the month's charges and its invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.posting import drain_posting_queue
from shared.clock import FakeClock
from shared.eventstore import Metadata
from tests.invoicing.conftest import stream
from tests.invoicing.factories import account_event, at, feed_facts, opened_isp_account


async def test_a_month_of_facts_is_charged_and_invoiced_as_the_days_of_each_price(
        invoicing: Invoicing, clock: FakeClock) -> None:
    clock.set(at("2026-11-01", 1))
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    await drain_posting_queue(invoicing)  # November in advance: 650.00
    ev = account_event
    await feed_facts(invoicing.pool, [
        ev("AddOnConnected", "1015", 3, at("2026-11-10"), line_id="inet-1015", service_id="static-ip",
           name="Статический IP-адрес", monthly_fee="150.00", on="2026-11-10"),
        ev("AddOnDisconnected", "1015", 4, at("2026-11-15"), line_id="inet-1015", service_id="static-ip",
           name="Статический IP-адрес", monthly_fee="150.00", on="2026-11-15"),
        ev("TariffChanged", "1015", 5, at("2026-11-16"), line_id="inet-1015", from_tariff_id="inet-50-1m",
           to_tariff_id="inet-100-1m", tariff_name="Безлимитный 100 Мбит/с, 1 мес", monthly_fee="850.00",
           vat_rate="20", mode="now", effective_from="2026-11-16", voluntary_block=None),
        ev("BlockScheduled", "1015", 6, at("2026-11-17"), block_id="b-1", starts_on="2026-11-20",
           ends_on="2026-11-25", days=6, fee="5.00"),
        ev("BlockStarted", "1015", 7, at("2026-11-20", 0), block_id="b-1", at=at("2026-11-20", 0).isoformat()),
        ev("BlockEnded", "1015", 8, at("2026-11-23", 10), block_id="b-1", at=at("2026-11-23", 10).isoformat(),
           early=True),
        ev("SubscriberRenamed", "1015", 9, at("2026-11-25"), line_id="inet-1015", subscriber_name="Петров П. П.",
           effective_at=at("2026-11-25").isoformat()),
        ev("AccountClosed", "1015", 10, at("2026-11-28", 12), at=at("2026-11-28", 12).isoformat()),
    ])
    clock.set(at("2026-11-29"))
    await drain_posting_queue(invoicing)
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "1015", date(2026, 11, 1), at("2026-12-01", 1),
                              Metadata(correlation_id="test"))
    invoice = await invoicing.pool.fetchrow("SELECT net, vat, total, subscribers FROM invoices")
    # 650.00 for 1-15 (15/30), 850.00 for 16-19 and 23-28 (10/30; 20-22 blocked, free; closed after the
    # 28th), the add-on for 10-14 (5/30 of 150.00), the block's own fee 5.00
    assert (invoice["net"], invoice["total"]) == (Decimal("531.9445"), Decimal("638.3334"))
    assert invoice["subscribers"][0]["subscriber_name"] == "Петров П. П."
    kinds = [p["kind"] for t, p in await stream(invoicing.pool, "1015") if t == "ChargePosted"]
    assert sorted(set(kinds)) == ["add_on", "block_fee", "credit", "subscription"]
    forecasts = [(p["period"], p["amount"]) for t, p in await stream(invoicing.pool, "1015") if t == "FeesForecast"]
    # November's fees as first foreseen, then as the month's facts made them; December's: none once
    # the account is closed
    assert forecasts == [("2026-11-01", "650.00"), ("2026-12-01", "650.00"), ("2026-11-01", "638.33"),
                         ("2026-12-01", "0.00")]
