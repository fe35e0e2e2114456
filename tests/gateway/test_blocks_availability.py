"""Voluntary blocks still available, as the accounts service counts them (issue 10, item 8): a quota
per calendar year of a block's first day, and a block may be booked up to a year ahead, so the
cabinet shows the count for every year a block could still start in, not only the current one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.accounts.domain.blocks import MAX_LEAD
from services.gateway.projections.cabinet_accounts_queries import BOOKING_LEAD, blocks_section
from tests.gateway.factories import SUBSCRIBER, Cabinet

TERMS = {"min_days": 14, "max_days": 180, "yearly_quota": 1, "fee": "0.00"}


def _block(starts_on: str, state: str) -> dict[str, Any]:
    return {"block_id": f"b-{starts_on}", "starts_on": starts_on, "state": state}


def test_the_gateway_books_as_far_ahead_as_the_accounts_service() -> None:
    assert BOOKING_LEAD == MAX_LEAD


def test_each_calendar_year_a_block_could_start_in_has_its_own_count() -> None:
    december = date(2026, 12, 20)
    fresh = blocks_section(TERMS, [], december)
    assert fresh["available_by_year"] == [{"year": 2026, "available": 1}, {"year": 2027, "available": 1}]
    booked = blocks_section(TERMS, [_block("2026-03-01", "ended"), _block("2027-01-10", "scheduled"),
                                    _block("2027-05-01", "cancelled")], december)
    assert booked["available_by_year"] == [{"year": 2026, "available": 0}, {"year": 2027, "available": 0}]
    assert booked["available"] == 0  # this year's
    # On the 1st of January the window (a year ahead) still reaches into the next year.
    assert [y["year"] for y in blocks_section(TERMS, [], date(2027, 1, 1))["available_by_year"]] == [2027, 2028]
    assert blocks_section(None, [], december)["available_by_year"] == [{"year": 2026, "available": 0},
                                                                        {"year": 2027, "available": 0}]


async def test_in_december_the_cabinet_shows_next_years_block_and_the_service_takes_it(cabinet: Cabinet) -> None:
    cabinet.clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    me = await cabinet.login(*SUBSCRIBER)
    blocks = "/api/v1/accounts/1015/blocks"
    this_year = await cabinet.client.post(blocks, json={"starts_on": "2026-12-21", "days": 14}, headers=me)
    assert this_year.status_code == 201, this_year.text
    page = (await cabinet.client.get(blocks, headers=me)).json()
    assert page["available"] == 0
    assert page["available_by_year"] == [{"year": 2026, "available": 0}, {"year": 2027, "available": 1}]

    next_year = await cabinet.client.post(blocks, json={"starts_on": "2027-02-01", "days": 14}, headers=me)
    assert next_year.status_code == 201, next_year.text  # the count said so
    page = (await cabinet.client.get(blocks, headers=me)).json()
    assert page["available_by_year"] == [{"year": 2026, "available": 0}, {"year": 2027, "available": 0}]
    refused = await cabinet.client.post(blocks, json={"starts_on": "2027-06-01", "days": 14}, headers=me)
    assert refused.status_code == 422 and refused.json()["code"] == "block.quota_used_up"  # and so did this one
