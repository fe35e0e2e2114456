"""Installments, reports of payments and charges, and the current month's charges by e-mail through
the gateway, with the accounts and invoicing services in-process behind it: «Информация по
рассрочке» per account and per subscriber after the office registered equipment, a report ordered
then downloaded, refusals as problem details that change nothing."""

from __future__ import annotations

from typing import Any

from shared.clock import FakeClock
from tests.accounts.factories import START, TOKEN
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.gateway.factories import ORG_ADMIN, SUBSCRIBER, api_login, with_invoicing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_installments_reports_and_charges_mail_in_the_cabinet(database_url: str, kafka: KafkaSpace) -> None:
    clock = FakeClock(START)  # 11 March 2026
    async with with_invoicing(database_url, kafka, clock) as (invoicing, gateway):
        me = await api_login(gateway, SUBSCRIBER)
        office = {**TOKEN, "x-actor": "operator:o1", "idempotency-key": "router-1015"}
        equipment = {"line_id": "inet-1015", "description": "Роутер", "total": "100.00", "payments": 3,
                     "first_month": "2026-03"}

        async def registered() -> bool:  # once invoicing has seen the demo account
            answer = await invoicing.post("/internal/v1/accounts/1015/installments", json=equipment,
                                          headers=office)
            return answer.status_code in (200, 201)

        await eventually(registered)
        bad = await invoicing.post("/internal/v1/accounts/1015/installments", headers={**office, "idempotency-key": "x"},
                                   json={**equipment, "payments": 61})
        assert (bad.status_code, bad.json()["code"]) == (422, "installment.payments_invalid")
        page = (await gateway.get("/api/v1/accounts/1015/installments", headers=me)).json()
        [info] = page["installments"]
        assert {k: info[k] for k in ("payments_left", "monthly_amount", "last_amount", "paid_so_far",
                                     "payoff_date", "description")} == {
            "payments_left": 2, "monthly_amount": "33.33", "last_amount": "33.34", "paid_so_far": "33.33",
            "payoff_date": "2026-05-01", "description": "Роутер"}
        per_line = await gateway.get("/api/v1/accounts/1015/installments?line_id=inet-1015", headers=me)
        assert len(per_line.json()["installments"]) == 1
        other_line = await gateway.get("/api/v1/accounts/1015/installments?line_id=tv-1015", headers=me)
        assert other_line.json()["installments"] == []

        for body, code in [({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "report.range_invalid"),
                           ({"date_from": "2024-01-01", "date_to": "2026-03-01"}, "request.date_range_too_old")]:
            refused = await gateway.post("/api/v1/accounts/1015/reports", json=body, headers=me)
            assert (refused.status_code, refused.json()["code"]) == (422, code)
            assert refused.headers["content-type"] == "application/problem+json"
        unknown_format = await gateway.post("/api/v1/accounts/1015/reports", headers=me,
                                            json={"date_from": "2026-03-01", "date_to": "2026-03-11",
                                                  "format": "docx"})
        assert (unknown_format.status_code, unknown_format.json()["code"]) == (400, "request.invalid")
        ordered = await gateway.post("/api/v1/accounts/1015/reports", headers=me,
                                     json={"date_from": "2026-03-01", "date_to": "2026-03-11", "format": "xlsx"})
        assert (ordered.status_code, ordered.json()["status"]) == (202, "ordered")
        download = ordered.json()["download"]
        holder: dict[str, Any] = {}

        async def made() -> bool:
            holder["file"] = await gateway.get(download, headers=me)
            return holder["file"].status_code == 200

        await eventually(made)
        assert holder["file"].headers["content-type"] == XLSX and holder["file"].content.startswith(b"PK")
        assert holder["file"].headers["content-disposition"].endswith('"report-1015-20260301-20260311.xlsx"')
        listed = (await gateway.get("/api/v1/accounts/1015/reports", headers=me)).json()["reports"]
        assert [(r["status"], r["download"]) for r in listed] == [("ready", download)]

        admin = await api_login(gateway, ORG_ADMIN)
        no_address = await gateway.post("/api/v1/accounts/3003/charges-mailings", headers=admin, json={})
        assert (no_address.status_code, no_address.json()["code"]) == (422, "delivery.no_email")
        await gateway.put("/api/v1/accounts/3003/invoice-delivery", headers=admin,
                          json={"method": "self", "addresses": "office@alfa.by"})
        foreign = await gateway.post("/api/v1/accounts/3003/charges-mailings", headers=admin,
                                     json={"numbers": "375291234567"})
        assert (foreign.status_code, foreign.json()["code"]) == (422, "invoice.foreign_numbers")
        mailed = await gateway.post("/api/v1/accounts/3003/charges-mailings", headers=admin,
                                    json={"numbers": "375170003003", "format": "xlsx"})
        assert (mailed.status_code, mailed.json()["kind"], mailed.json()["addresses"]) == (
            202, "charges", ["office@alfa.by"])
