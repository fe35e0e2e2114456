"""End to end over running processes: the demo subscriber whose account starts in debt (2002,
financially blocked) takes a promised payment through the gateway and sees the balance and the
status change; a second one is refused with a clear message; a sandbox top-up repays part of it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from shared.calendar import add_months, tenth_of_next_month
from tests.e2e.conftest import Stack, debtor_blocked_by_charges, poll

DEBTOR = ("2002", "demo-2002-pass")  # demo data only (deploy/demo/requests.json)


def test_a_blocked_subscriber_takes_a_promised_payment_is_unblocked_and_cannot_take_another(stack: Stack) -> None:
    stack.load_demo_data()
    gateway = f"{stack.urls['gateway']}/api/v1/accounts/2002"
    me = stack.login(*DEBTOR)

    blocked = debtor_blocked_by_charges(stack, me)
    # No money on the account: this month's charges (invoicing's, in advance) are the debt, and the
    # offer goes up to this month's fees (the whole month's from the day the line was added).
    charged = blocked["charged_total"]
    assert Decimal(charged) > 0 and blocked["balance"] == f"-{charged}"

    taken = httpx.post(f"{gateway}/promised-payments", json={"amount": charged},
                       headers={**me, "idempotency-key": "e2e-promise-1"})
    assert taken.status_code == 201, taken.text
    assert taken.json()["read_model_current"] is True and taken.json()["outstanding"] == charged
    assert taken.json()["status_current"] is True
    # Read-your-writes: the very next query shows the credit, and the status it implies (the
    # accounts service lifted the financial block before the answer; issue 10, item 9).
    unblocked = httpx.get(f"{gateway}/summary", headers=me)
    assert unblocked.json()["status"] == "active" and unblocked.json()["balance"] == "0.00"
    balance = httpx.get(f"{gateway}/balance", headers=me).json()
    assert (balance["balance"], balance["promised_outstanding"]) == ("0.00", charged)
    promised = httpx.get(f"{gateway}/promised-payments", headers=me).json()
    assert promised["outstanding"]["status"] == "outstanding"
    # The summary shows the same money figures as the balance page.
    assert (unblocked.json()["available"], unblocked.json()["promised_outstanding"]) == ("0.00", charged)

    second = httpx.post(f"{gateway}/promised-payments", json={"amount": "10.00"},
                        headers={**me, "idempotency-key": "e2e-promise-2"})
    assert second.status_code == 422
    assert second.json()["code"] == "promised_payment.already_outstanding"
    assert second.json()["detail"] == "the previous promised payment is not repaid yet"

    # A sandbox top-up: the provider's page posts a signed callback to the payments service.
    top_up = httpx.post(f"{gateway}/top-ups", json={"amount": "200.00", "provider": "sandbox"}, headers=me)
    assert top_up.status_code == 201, top_up.text
    page = httpx.get(top_up.json()["redirect_url"])
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    forged = httpx.post(f"{stack.urls['payments']}/public/v1/providers/sandbox/callback",
                        data={**form, "amount": "2000.00"})
    assert forged.status_code == 403
    paid = httpx.post(f"{stack.urls['payments']}/public/v1/providers/sandbox/callback", data=form)
    assert paid.status_code == 200, paid.text
    repaid = poll(lambda: httpx.get(f"{gateway}/promised-payments", headers=me),
                  lambda r: r.json()["items"][0]["repaid"] == "200.00")
    assert repaid.json()["items"][0]["outstanding"] == str(Decimal(charged) - Decimal("200.00"))
    history = httpx.get(f"{gateway}/payments", headers=me).json()
    assert [(p["amount"], p["method"]) for p in history["items"]] == [("200.00", "sandbox")]
    assert httpx.get(f"{gateway}/balance", headers=me).json()["balance"] == "0.00"  # went to the credit

    log = stack.log_text("payments")
    assert "top_up.callback_refused" in log
    assert form["signature"] not in log and "dev-sandbox-secret" not in log


def test_autopay_guarantees_and_history_range_through_the_gateway(stack: Stack) -> None:
    # In January: "the 10th of next month" and "the previous month" cross the year's turn.
    stack.move_clock_to(datetime(datetime.now(UTC).year + 1, 1, 15, 12, tzinfo=ZoneInfo("Europe/Minsk")))
    stack.load_demo_data()
    me = stack.login(*DEBTOR)
    mine, theirs = f"{stack.urls['gateway']}/api/v1/accounts/2002", f"{stack.urls['gateway']}/api/v1/accounts/1015"

    enabled = httpx.put(f"{mine}/autopay", json={"provider": "sandbox", "method_token": "sandbox-card-4242",
                                                 "cap": "100.00"}, headers={**me, "idempotency-key": "ap-1"})
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["method_masked"] == "****4242" and "sandbox-card-4242" not in enabled.text
    autopay = httpx.get(f"{mine}/autopay", headers=me).json()
    assert (autopay["enabled"], autopay["cap"], autopay["method_masked"]) == (True, "100.00", "****4242")
    assert httpx.patch(f"{mine}/autopay", json={"cap": None}, headers=me).status_code == 200
    assert httpx.get(f"{mine}/autopay", headers=me).json()["cap"] is None
    assert httpx.delete(f"{mine}/autopay", headers=me).status_code == 200
    assert httpx.get(f"{mine}/autopay", headers=me).json()["enabled"] is False

    # Someone else's account is invisible on every payment page; a subscriber registers no guarantee.
    for method, path, body in [("GET", "/autopay", None), ("GET", "/promised-payments/offer", None),
                               ("GET", "/guarantees", None), ("POST", "/promised-payments", {"amount": "1.00"}),
                               ("POST", "/top-ups", {"amount": "1.00", "provider": "sandbox"})]:
        foreign = httpx.request(method, f"{theirs}{path}", json=body, headers=me)
        assert foreign.status_code == 404 and foreign.json()["code"] == "account.not_found", (method, path)
    subscriber_guarantee = httpx.post(f"{mine}/guarantees", json={"amount": "10.00", "pay_by": "2030-01-01"},
                                      headers=me)
    assert subscriber_guarantee.status_code == 403

    admin = stack.login("a1-3003", "demo-admin-3003")
    org = f"{stack.urls['gateway']}/api/v1/accounts/3003"
    offer = poll(lambda: httpx.get(f"{org}/promised-payments/offer", headers=admin), lambda r: r.status_code == 200)
    assert offer.status_code == 200  # the payments service knows the organization's account
    since = date.fromisoformat(httpx.get(f"{org}/guarantees", headers=admin).json()["since"][:10])
    this_month = add_months(since, 1)  # `since` is the previous month's first day
    assert this_month == date(since.year + 1, 1, 1)  # the clock was moved to January
    pay_by = tenth_of_next_month(this_month).isoformat()
    registered = httpx.post(f"{org}/guarantees", json={"amount": "250.00", "pay_by": pay_by},
                            headers={**admin, "idempotency-key": "g-1"})
    assert registered.status_code == 201, registered.text
    listed = httpx.get(f"{org}/guarantees", headers=admin).json()["items"]
    assert [(g["amount"], g["pay_by"]) for g in listed] == [("250.00", pay_by)]
    day_late = (tenth_of_next_month(this_month) + timedelta(days=1)).isoformat()
    late = httpx.post(f"{org}/guarantees", json={"amount": "250.00", "pay_by": day_late}, headers=admin)
    assert late.status_code == 422 and late.json()["code"] == "guarantee.pay_by_too_late"

    for too_old_bound in ({"from": f"{since.year - 2}-01-01"}, {"to": f"{since.year - 2}-01-31"}):
        too_old = httpx.get(f"{mine}/payments", params=too_old_bound, headers=me)
        assert too_old.status_code == 422 and too_old.json()["code"] == "request.date_range_too_old", too_old_bound


def test_a_reversal_that_takes_the_funds_below_zero_shows_the_block_on_the_next_summary(stack: Stack) -> None:
    stack.load_demo_data()
    operator = stack.operator()
    gateway = f"{stack.urls['gateway']}/api/v1/accounts/2002"
    known = poll(lambda: httpx.get(f"{gateway}/promised-payments/offer", headers=operator),
                 lambda r: r.status_code == 200)
    assert known.status_code == 200, known.text  # the payments service knows the account
    blocked = poll(lambda: httpx.get(f"{gateway}/summary", headers=operator),
                   lambda r: r.json()["status"] == "blocked_financial")  # this month's charges
    charged = Decimal(blocked.json()["charged_total"])
    office = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"], "x-actor": "e2e"}
    paid = httpx.post(f"{stack.urls['payments']}/internal/v1/payments", headers=office, json={
        "account_id": "2002", "amount": str(charged + 30), "method": "cash", "external_id": "cash-2002-e2e",
        "paid_at": datetime.now(UTC).isoformat()})
    assert paid.status_code == 201, paid.text
    unblocked = poll(lambda: httpx.get(f"{gateway}/summary", headers=operator),
                     lambda r: r.json()["status"] == "active")  # the office's payment: a moment later
    assert (unblocked.json()["status"], unblocked.json()["balance"]) == ("active", "30.00")

    reversed_ = httpx.post(f"{gateway}/payments/{paid.json()['payment_id']}/reversal",
                           json={"reason": "paid to the wrong account"}, headers=operator)
    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["status_current"] is True
    after = httpx.get(f"{gateway}/summary", headers=operator).json()  # the very next query
    assert (after["status"], after["balance"]) == ("blocked_financial", f"-{charged}")
