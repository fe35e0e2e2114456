"""/metrics as Prometheus scrapes it: one well-formed Content-Type, and every request timed by
method, route template and status (never the raw path: label values stay bounded)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.payments.factories import INTERNAL


async def _request_counts(client: AsyncTestClient[Any]) -> dict[tuple[str, str, str], float]:
    """Requests seen by the payments service so far: (method, route, status) -> count."""
    scraped = await client.get("/metrics")
    counts = {}
    for family in text_string_to_metric_families(scraped.text):
        for sample in family.samples:
            if sample.name == "billing_http_request_seconds_count" and sample.labels["service"] == "payments":
                labels = sample.labels
                counts[(labels["method"], labels["route"], labels["status"])] = sample.value
    return counts


async def test_metrics_carry_one_charset_in_the_content_type(app_client: AsyncTestClient[Any]) -> None:
    scraped = await app_client.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert scraped.headers.get_list("content-type") == ["text/plain; version=0.0.4; charset=utf-8"]


async def test_requests_are_timed_by_method_route_template_and_status(app_client: AsyncTestClient[Any]) -> None:
    account_id = f"metrics-{uuid.uuid4().hex[:8]}"
    offer_route = "/internal/v1/accounts/{account_id}/promised-payments/offer"
    before = await _request_counts(app_client)

    answered = await app_client.get(f"/internal/v1/accounts/{account_id}/promised-payments/offer", headers=INTERNAL)
    unknown = await app_client.get(f"/no/such/page/{account_id}")

    after = await _request_counts(app_client)
    offer = ("GET", offer_route, str(answered.status_code))
    unmatched = ("GET", "unmatched", "404")
    assert unknown.status_code == 404
    assert after[offer] == before.get(offer, 0) + 1
    assert after[unmatched] == before.get(unmatched, 0) + 1
    assert "x-correlation-id" in unknown.headers  # the edge wraps routing: a 404 is traced too
    scraped = (await app_client.get("/metrics")).text
    assert account_id not in scraped
