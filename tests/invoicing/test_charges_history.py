"""The charges history («списания»): every line as posted, newest first, over the last 12 months."""

from __future__ import annotations

from datetime import date

import pytest

from services.invoicing.application.context import Invoicing
from services.invoicing.application.posting import drain_posting_queue
from services.invoicing.application.queries import charges_history
from shared.clock import FakeClock
from shared.errors import DomainError
from tests.invoicing.factories import account_event, at, feed_facts, opened_isp_account


async def test_the_history_lists_charges_and_credits_newest_first_by_page(
        invoicing: Invoicing, clock: FakeClock) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    await drain_posting_queue(invoicing)
    clock.set(at("2026-11-25"))
    await feed_facts(invoicing.pool, [account_event("AccountClosed", "1015", 3, clock.now(),
                                                    at=clock.now().isoformat())])
    await drain_posting_queue(invoicing)
    page = await charges_history(invoicing, "1015", None, None, limit=1, offset=0)
    assert page["total"] == 2 and len(page["items"]) == 1
    [credit] = page["items"]
    assert (credit["kind"], credit["from_day"], credit["to_day"], credit["total"]) == (
        "credit", "2026-11-26", "2026-11-30", "-108.3333")
    rest = await charges_history(invoicing, "1015", date(2026, 11, 1), date(2026, 11, 20), limit=20, offset=0)
    assert [i["kind"] for i in rest["items"]] == ["subscription"] and rest["total"] == 1


@pytest.mark.parametrize(("date_from", "date_to", "code"), [
    (date(2025, 11, 19), None, "request.date_range_too_old"),
    (date(2026, 11, 20), date(2026, 11, 1), "request.invalid_date_range"),
])
async def test_a_bad_range_is_refused(invoicing: Invoicing, date_from: date, date_to: date | None, code: str) -> None:
    await feed_facts(invoicing.pool, opened_isp_account("1015", at("2026-11-01", 0)))
    with pytest.raises(DomainError) as refused:
        await charges_history(invoicing, "1015", date_from, date_to, limit=20, offset=0)
    assert refused.value.code == code
