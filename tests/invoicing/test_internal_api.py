"""The invoicing service as it runs (its consumer of accounts' events, relay, timers, workers) and its
internal API for the gateway: charges pages, invoices, bill runs, problem details."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer
from litestar.testing import AsyncTestClient

from shared.clock import FakeClock
from shared.cloudevents import topic_for
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.invoicing.conftest import INTERNAL, app_client_for
from tests.invoicing.factories import at, opened_isp_account, publish_account_events, seed_004_sip_subscriber


async def _page(client: AsyncTestClient[Any], path: str) -> dict[str, Any]:
    holder: dict[str, Any] = {}

    async def ready() -> bool:
        answer = await client.get(path, headers=INTERNAL)
        holder["body"] = answer.json()
        return answer.status_code == 200 and bool(holder["body"].get("subscribers"))

    await eventually(ready)
    return holder["body"]


async def test_the_demo_sip_subscribers_may_2021_page_through_kafka_and_the_api_is_seed_004s(
        database_url: str, kafka: KafkaSpace) -> None:
    clock = FakeClock(at("2021-05-27"))
    await publish_account_events(kafka, seed_004_sip_subscriber(at("2021-05-05", 10)))
    async with app_client_for(database_url, kafka, clock) as client:
        await _page(client, "/internal/v1/accounts/3003/charges?period=2021-05")
        usage = {"usage_id": "calls-2021-05-27", "line_id": "sip-375170003003", "usage_class": "on-net-out",
                 "description": "Исходящие внутри сети", "quantity": "00:07:00", "day": "2021-05-12",
                 "net": "0", "vat_rate": "25"}
        posted = await client.post("/internal/v1/accounts/3003/usage", json=usage, headers=INTERNAL)
        assert (posted.status_code, posted.json()["posted"]) == (201, True)
        again = await client.post("/internal/v1/accounts/3003/usage", json=usage, headers=INTERNAL)
        assert (again.status_code, again.json()["posted"]) == (200, False)
        page = (await client.get("/internal/v1/accounts/3003/charges?period=2021-05", headers=INTERNAL)).json()
        [subscriber] = page["subscribers"]
        assert (subscriber["line_id"], subscriber["identifier"]) == ("sip-375170003003", "375170003003")
        assert [(r["description"], r["net"], r["vat_rate"], r["vat"], r["other_tax"], r["total"])
                for r in subscriber["lines"]] == [
            ("SIP 3000 минут в другие сети", "77.0080", "25", "19.2520", "0.0000", "96.2600"),
            ("SIP-многоканальность 27", "56.6756", "25", "14.1689", "0.0000", "70.8445"),
            ("План SIP-соединение 27", "46.2867", "25", "11.5717", "0.0000", "57.8584"),
            ("Услуга Короткий номер 27", "60.0968", "25", "15.0242", "0.0000", "75.1210"),
            ("Исходящие внутри сети 00:07:00", "0.0000", "25", "0.0000", "0.0000", "0.0000"),
        ]
        assert subscriber["totals"] == {"net": "240.0671", "vat": "60.0168", "other_tax": "0.0000",
                                        "total": "300.0839"}
        one = await client.get("/internal/v1/accounts/3003/charges?period=2021-05&line_id=sip-375170003003",
                               headers=INTERNAL)
        assert one.json()["totals"]["total"] == "300.0839"


async def test_bad_periods_unknown_accounts_and_lines_get_problem_details_with_stable_codes(
        app_client: AsyncTestClient[Any], kafka: KafkaSpace) -> None:
    await publish_account_events(kafka, opened_isp_account("1015", at("2026-11-01", 0)))
    await _page(app_client, "/internal/v1/accounts/1015/charges")
    cases = [
        ("/internal/v1/accounts/1015/charges?period=2026-8", 400, "request.invalid"),
        ("/internal/v1/accounts/1015/charges?period=2026-13", 400, "request.invalid"),
        ("/internal/v1/bill-runs/2026-13", 400, "request.invalid"),
        ("/internal/v1/accounts/1015/charges?period=2026-08", 422, "charges.period_out_of_range"),
        ("/internal/v1/accounts/1015/charges?period=2026-12", 422, "charges.period_out_of_range"),
        ("/internal/v1/accounts/1015/charges?line_id=nope", 404, "line.not_found"),
        ("/internal/v1/accounts/9999/charges", 404, "account.not_found"),
        ("/internal/v1/accounts/9999/invoices", 404, "account.not_found"),
        ("/internal/v1/bill-runs/2026-10", 404, "bill_run.not_found"),
        ("/internal/v1/accounts/1015/charges/history?from=2024-01-01", 422, "request.date_range_too_old"),
        ("/internal/v1/accounts/1015/charges/history?from=2026-11-10&to=2026-11-01", 422,
         "request.invalid_date_range"),
        ("/internal/v1/accounts/1015/charges/history?limit=0", 400, "request.invalid"),
    ]
    for path, status, code in cases:
        answer = await app_client.get(path, headers=INTERNAL)
        assert (answer.status_code, answer.json()["code"]) == (status, code), path
    history = (await app_client.get("/internal/v1/accounts/1015/charges/history", headers=INTERNAL)).json()
    assert history["total"] == 1 and history["items"][0]["item"] == "line:inet-1015"
    out_of_range = await app_client.get("/internal/v1/accounts/1015/charges?period=2026-08", headers=INTERNAL)
    assert out_of_range.json()["allowed"] == ["2026-11", "2026-10", "2026-09"]
    open_period = await app_client.post("/internal/v1/bill-runs", json={"period": "2026-11"}, headers=INTERNAL)
    assert (open_period.status_code, open_period.json()["code"]) == (422, "bill_run.period_open")
    assert (await app_client.get("/internal/v1/accounts/1015/charges")).status_code == 401
    for body, status, code in [({"period": "2026-10", "format": "pdf"}, 404, "invoice.not_found"),
                               ({"period": "2026-10", "format": "doc"}, 400, "request.invalid"),
                               ({"period": "2026-1"}, 400, "request.invalid"),
                               ({"period": "2026-11"}, 422, "invoice.period_out_of_range")]:
        answer = await app_client.post("/internal/v1/accounts/1015/invoice-orders", json=body, headers=INTERNAL)
        assert (answer.status_code, answer.json()["code"]) == (status, code), body


async def test_charges_are_published_and_a_bill_run_issues_invoices_listed_per_account(
        database_url: str, kafka: KafkaSpace) -> None:
    clock = FakeClock(at("2026-10-20"))
    await publish_account_events(kafka, opened_isp_account("1015", at("2026-10-01", 0)))
    async with app_client_for(database_url, kafka, clock) as client:
        page = await _page(client, "/internal/v1/accounts/1015/charges")
        assert page["period"] == "2026-10" and page["totals"]["total"] == "650.0000"
        clock.set(at("2026-11-05"))
        started = await client.post("/internal/v1/bill-runs", json={"period": "2026-10"}, headers=INTERNAL)
        assert started.status_code == 202 and started.json()["accounts_total"] == 1

        async def finished() -> bool:
            answer = await client.get("/internal/v1/bill-runs/2026-10", headers=INTERNAL)
            return answer.json()["status"] == "finished"

        await eventually(finished)
        [invoice] = (await client.get("/internal/v1/accounts/1015/invoices", headers=INTERNAL)).json()["invoices"]
        assert (invoice["period"], invoice["number"], invoice["total"], invoice["due_on"]) == (
            "2026-10", "INV-2026-000001", "650.0000", "2026-11-10")
        assert invoice["subscribers"] == [{"line_id": "inet-1015", "identifier": "0_1015",
                                           "subscriber_name": "Абонент 1015"}]
        again = await client.post("/internal/v1/bill-runs", json={"period": "2026-10"}, headers=INTERNAL)
        assert again.json()["issued"] == 1
        ordered = await client.post("/internal/v1/accounts/1015/invoice-orders", json={"period": "2026-10"},
                                    headers=INTERNAL)
        assert (ordered.status_code, ordered.json()["status"]) == (202, "ordered")  # made after, by the worker
        document = "/internal/v1/accounts/1015/invoices/2026-10/documents/pdf"

        async def downloaded() -> bool:
            answer = await client.get(document, headers=INTERNAL)
            holder["pdf"] = answer
            return answer.status_code == 200

        holder: dict[str, Any] = {}
        await eventually(downloaded)
        pdf = holder["pdf"]
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
        assert pdf.headers["content-disposition"] == 'attachment; filename="INV-2026-000001.pdf"'
        not_ordered = await client.get(document.replace("pdf", "xlsx"), headers=INTERNAL)
        assert (not_ordered.status_code, not_ordered.json()["code"]) == (404, "invoice.document_not_ordered")
        types = await _published_types(kafka)  # while the service's relay runs
    assert {"billing.invoicing.ChargePosted.v1", "billing.invoicing.FeesForecast.v1",
            "billing.invoicing.InvoiceIssued.v1", "billing.invoicing.InvoiceDocumentReady.v1"} <= types


async def _published_types(kafka: KafkaSpace) -> set[str]:
    consumer = AIOKafkaConsumer(kafka.topic(topic_for("invoicing")), bootstrap_servers=kafka.bootstrap,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen: set[str] = set()
    try:
        async def all_four() -> bool:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    seen.update(v.decode() for k, v in record.headers if k == "ce_type")
            return len(seen) >= 4

        await eventually(all_four)
    finally:
        await consumer.stop()
    return seen


