"""Rated usage posted by telephony becomes one charge line per usage id; an invoiced period takes none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.invoicing.application.bill_run import invoice_account
from services.invoicing.application.context import Invoicing
from services.invoicing.application.usage import RatedUsage, post_rated_usage
from shared.errors import DomainError
from shared.eventstore import Metadata
from tests.invoicing.conftest import stream
from tests.invoicing.factories import at, feed_facts, opened_isp_account

META = Metadata(correlation_id="test-usage", actor="telephony")


def _usage(usage_id: str = "u-1", day: str = "2026-11-12", line_id: str = "inet-1015") -> RatedUsage:
    return RatedUsage(usage_id, line_id, "on-net-out", "Исходящие внутри сети", "00:07:00", date.fromisoformat(day),
                      Decimal("1.2345"), Decimal("20"))


async def test_usage_is_posted_once_per_usage_id_with_vat_from_its_net(invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    first = await post_rated_usage(invoicing, "1015", _usage(), META, None)
    again = await post_rated_usage(invoicing, "1015", _usage(), META, None)
    assert len(first.event_ids) == 1 and again.event_ids == []
    [(kind, charge)] = await stream(invoicing.pool, "1015")
    assert (kind, charge["kind"], charge["item"], charge["quantity"], charge["net"], charge["vat"], charge["total"]) == (
        "ChargePosted", "usage", "usage:inet-1015:on-net-out", "00:07:00", "1.2345", "0.2469", "1.4814")
    assert await invoicing.pool.fetchval("SELECT label FROM charge_lines") == "Исходящие внутри сети"


async def test_usage_for_an_invoiced_period_or_an_unknown_line_is_refused(invoicing: Invoicing) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-10-01", 0)))
    async with invoicing.pool.acquire() as conn, conn.transaction():
        await invoice_account(invoicing, conn, "1015", date(2026, 10, 1), at("2026-11-01", 1), META)
    with pytest.raises(DomainError) as late:
        await post_rated_usage(invoicing, "1015", _usage(day="2026-10-30"), META, None)
    assert (late.value.code, late.value.status) == ("usage.period_invoiced", 409)
    with pytest.raises(DomainError) as unknown:
        await post_rated_usage(invoicing, "1015", _usage(line_id="nope"), META, None)
    assert unknown.value.code == "line.not_found"
