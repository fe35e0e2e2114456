"""The cabinet's charges and invoices through the gateway, with the accounts and invoicing services
in-process behind it (invoicing charging the demo accounts from accounts' events on Kafka): the
charges page, refusals as problem details, an invoice's document ordered and downloaded, the
delivery address (at most 200 characters), a preliminary invoice refusing a foreign number."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from shared.clock import FakeClock
from tests.accounts.factories import START, TOKEN
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.gateway.factories import ORG_ADMIN, SUBSCRIBER, api_login, with_invoicing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _minsk(day: str, hour: int = 9) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time(hour), ZoneInfo("Europe/Minsk")).astimezone(UTC)


async def test_charges_invoices_documents_and_delivery_in_the_cabinet(database_url: str, kafka: KafkaSpace) -> None:
    clock = FakeClock(START)
    async with with_invoicing(database_url, kafka, clock) as (invoicing, gateway):
        holder: dict[str, Any] = {}

        async def charged() -> bool:
            if "me" not in holder:
                login_answer = await gateway.post("/api/v1/auth/login",
                                                  json={"login": SUBSCRIBER[0], "password": SUBSCRIBER[1]})
                if login_answer.status_code != 200:
                    return False
                holder["me"] = {"authorization": f"Bearer {login_answer.json()['access_token']}"}
            answer = await gateway.get("/api/v1/accounts/1015/charges", headers=holder["me"])
            holder["page"] = answer
            return answer.status_code == 200 and bool(answer.json()["subscribers"])

        await eventually(charged)
        me = holder["me"]
        page = holder["page"].json()
        assert (page["period"], page["periods"]) == ("2026-03", ["2026-03", "2026-02", "2026-01"])
        # the demo's internet line (its TV line is charged too, once invoicing has seen it)
        [subscriber] = [s for s in page["subscribers"] if s["line_id"] == "inet-1015"]
        assert {"net", "vat_rate", "vat", "other_tax", "total"} <= set(subscriber["lines"][0])
        for path, status, code in [("/charges?period=2025-12", 422, "charges.period_out_of_range"),
                                   ("/charges?period=2026-3", 400, "request.invalid"),
                                   ("/charges/history?from=2024-01-01", 422, "request.date_range_too_old"),
                                   ("/invoices/2026-02/documents/pdf", 404, "invoice.not_found")]:
            answer = await gateway.get(f"/api/v1/accounts/1015{path}", headers=me)
            assert (answer.status_code, answer.json()["code"]) == (status, code), path
            assert answer.headers["content-type"] == "application/problem+json"
        history = (await gateway.get("/api/v1/accounts/1015/charges/history", headers=me)).json()
        assert history["total"] >= 1 and history["items"][0]["line_id"] == "inet-1015"

        clock.set(_minsk("2026-04-04"))
        started = await invoicing.post("/internal/v1/bill-runs", json={"period": "2026-03"}, headers=TOKEN)
        assert started.status_code == 202
        me = await api_login(gateway, SUBSCRIBER)  # a month later: the access token from March has expired

        async def invoiced() -> bool:
            answer = await gateway.get("/api/v1/accounts/1015/invoices", headers=me)
            holder["invoices"] = answer.json()
            return answer.status_code == 200 and bool(answer.json()["invoices"])

        await eventually(invoiced)
        listed = holder["invoices"]
        assert (listed["periods"], listed["orders_open"]) == (["2026-03", "2026-02"], True)
        [invoice] = listed["invoices"]
        assert (invoice["period"], invoice["documents"]) == ("2026-03", [])
        previous = (await gateway.get("/api/v1/accounts/1015/charges/previous-month", headers=me)).json()
        assert previous["invoice"]["number"] == invoice["number"]
        assert previous["charges"]["total"] == invoice["total"] and "balance" in previous

        ordered = await gateway.post("/api/v1/accounts/1015/invoices/2026-03/documents", json={"format": "xlsx"},
                                     headers=me)
        assert (ordered.status_code, ordered.json()["status"]) == (202, "ordered")

        async def downloaded() -> bool:
            answer = await gateway.get("/api/v1/accounts/1015/invoices/2026-03/documents/xlsx", headers=me)
            holder["file"] = answer
            return answer.status_code == 200

        await eventually(downloaded)
        assert holder["file"].headers["content-type"] == XLSX and holder["file"].content.startswith(b"PK")
        assert holder["file"].headers["content-disposition"].endswith(f'filename="{invoice["number"]}.xlsx"')
        [document] = (await gateway.get("/api/v1/accounts/1015/invoices", headers=me)).json()["invoices"][0][
            "documents"]
        assert (document["status"], document["download"]) == (
            "ready", "/api/v1/accounts/1015/invoices/2026-03/documents/xlsx")

        too_long = ";".join(["abcdefghij@example.by"] * 9) + ";x@y.by"  # 204 characters
        refused = await gateway.put("/api/v1/accounts/1015/invoice-delivery", headers=me,
                                    json={"method": "email", "addresses": too_long})
        assert (refused.status_code, refused.json()["code"]) == (422, "delivery.addresses_too_long")
        assert (await gateway.get("/api/v1/accounts/1015/invoice-delivery", headers=me)).json()["method"] == "self"
        changed = await gateway.put("/api/v1/accounts/1015/invoice-delivery", headers=me,
                                    json={"method": "email", "format": "pdf", "addresses": "me@x.by;wife@x.by"})
        assert (changed.status_code, changed.json()["addresses"]) == (200, ["me@x.by", "wife@x.by"])
        resent = await gateway.post("/api/v1/accounts/1015/invoice-sends", headers=me, json={"period": "2026-03"})
        assert (resent.status_code, resent.json()["addresses"]) == (202, ["me@x.by", "wife@x.by"])

        admin = await api_login(gateway, ORG_ADMIN)
        await gateway.put("/api/v1/accounts/3003/invoice-delivery", headers=admin,
                          json={"method": "self", "addresses": "office@alfa.by"})
        foreign = await gateway.post("/api/v1/accounts/3003/preliminary-invoices", headers=admin,
                                     json={"numbers": "375170003003;375291234567"})
        assert (foreign.status_code, foreign.json()["code"], foreign.json()["numbers"]) == (
            422, "invoice.foreign_numbers", ["375291234567"])
        own = await gateway.post("/api/v1/accounts/3003/preliminary-invoices", headers=admin, json={})
        assert (own.status_code, own.json()["kind"], own.json()["period"]) == (202, "preliminary", "2026-04")
