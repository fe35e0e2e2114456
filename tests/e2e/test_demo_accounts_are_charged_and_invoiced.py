"""End to end over running processes: the demo accounts are charged for the current month by the
invoicing service (accounts -> Kafka -> invoicing's projection -> posting worker), and moving the dev
clock past the 1st runs the bill run: one regular invoice per account, numbered without gaps; from the
4th the subscriber orders the invoice's PDF and XLSX in the cabinet and downloads them through the
gateway once the document worker made them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import httpx

from shared.calendar import first_of_next_month
from tests.e2e.conftest import Stack, poll

MINSK = ZoneInfo("Europe/Minsk")
DEMO_ACCOUNTS = ["1015", "2002", "3003", "3004"]


def test_the_demo_accounts_are_charged_this_month_and_invoiced_once_the_month_closes(stack: Stack) -> None:
    stack.load_demo_data()
    invoicing = stack.urls["invoicing"]
    internal = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"]}
    this_month = datetime.now(MINSK).date().replace(day=1)

    for account_id in DEMO_ACCOUNTS:
        page = poll(lambda a=account_id: httpx.get(f"{invoicing}/internal/v1/accounts/{a}/charges", headers=internal),
                    lambda r: r.status_code == 200 and r.json()["subscribers"])
        assert page.status_code == 200, page.text
        assert page.json()["period"] == f"{this_month:%Y-%m}" and page.json()["totals"]["total"] != "0"
    sip = httpx.get(f"{invoicing}/internal/v1/accounts/3003/charges", headers=internal).json()
    items = {line["item"] for subscriber in sip["subscribers"] for line in subscriber["lines"]}
    assert {"line:sip-375170003003", "add-on:sip-375170003003:sip-3000-min", "line:sip-375170003004"} <= items

    # The dev clock (shared by the stack's processes) to the 2nd of next month, 09:00 in Minsk.
    target = datetime.combine(first_of_next_month(this_month).replace(day=2), time(9), MINSK)
    offset = (target - datetime.now(UTC)).total_seconds()
    with open(stack.env["DEV_CLOCK_FILE"], "w") as clock_file:
        clock_file.write(str(offset))

    run = poll(lambda: httpx.get(f"{invoicing}/internal/v1/bill-runs/{this_month:%Y-%m}", headers=internal),
               lambda r: r.status_code == 200 and r.json()["status"] == "finished", timeout=60)
    assert run.status_code == 200, run.text
    assert (run.json()["accounts_total"], run.json()["issued"]) == (4, 4)
    numbers = []
    for account_id in DEMO_ACCOUNTS:
        [invoice] = httpx.get(f"{invoicing}/internal/v1/accounts/{account_id}/invoices", headers=internal).json()[
            "invoices"]
        assert invoice["period"] == f"{this_month:%Y-%m}"
        numbers.append(int(invoice["number"].rsplit("-", 1)[1]))
    assert sorted(numbers) == [1, 2, 3, 4]

    # From the 4th (days 1-3 are the invoicing window) the subscriber orders and downloads them.
    stack.move_clock_to(datetime.combine(first_of_next_month(this_month).replace(day=4), time(9), MINSK))
    me = stack.login("1015", "demo-1015-pass")
    cabinet = f"{stack.urls['gateway']}/api/v1/accounts/1015/invoices"
    listed = httpx.get(cabinet, headers=me).json()
    assert listed["orders_open"] and [i["period"] for i in listed["invoices"]] == [f"{this_month:%Y-%m}"]
    for document_format, media_type, magic in (
            ("pdf", "application/pdf", b"%PDF-"),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK")):
        ordered = httpx.post(f"{cabinet}/{this_month:%Y-%m}/documents", json={"format": document_format}, headers=me)
        assert ordered.status_code == 202, ordered.text
        file = poll(lambda f=document_format: httpx.get(f"{cabinet}/{this_month:%Y-%m}/documents/{f}", headers=me),
                    lambda r: r.status_code == 200)
        assert file.headers["content-type"] == media_type and file.content.startswith(magic), file.text[:200]
