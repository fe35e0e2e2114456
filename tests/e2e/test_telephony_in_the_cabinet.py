"""End to end over running processes: the SIP organization in the cabinet (issue 12). The demo's
subscribers with the free minutes left (only on SIP-соединение), its call detail and channel package;
a package change inside 7 days refused with the next allowed date; a minute bundle refused in
self-service; a CDR batch posted twice is charged once, and its usage reaches invoicing's charges.
Both tests on one stack with the demo data (`demo_stack`): each posts a call of its own and looks
at what changed (a mail more, the usage it added), whichever runs first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from tests.e2e.conftest import Stack, poll
from tests.e2e.test_readme_flows import _readme_flow, _run

SIP = "sip-375170003003"
SIP_NUMBER = "sip-375170003004"


def test_the_sip_organization_in_the_cabinet_and_its_calls_charged_once(demo_stack: Stack) -> None:
    stack = demo_stack
    admin = stack.login("a1-3003", "demo-admin-3003")
    org = f"{stack.urls['gateway']}/api/v1/accounts/3003"
    internal = {"x-internal-token": stack.env["INTERNAL_API_TOKEN"]}

    cards = poll(lambda: httpx.get(f"{org}/telephony/lines", headers=admin),
                 lambda r: r.status_code == 200 and len(r.json()["items"]) == 2)
    assert cards.status_code == 200, cards.text
    by_line = {c["line_id"]: c for c in cards.json()["items"]}
    assert by_line[SIP]["tariff_name"] == "SIP-соединение" and by_line[SIP]["free_minutes_total"] == 3000
    assert 0 <= by_line[SIP]["free_minutes_left"] <= 3000
    assert "free_minutes_left" not in by_line[SIP_NUMBER]  # absent, not zero, on SIP-номер

    detail = httpx.get(f"{org}/lines/{SIP}/calls", params={"period": "current", "direction": "both"}, headers=admin)
    assert detail.status_code == 200, detail.text
    assert detail.json()["months"][0] == "current" and len(detail.json()["months"]) == 7

    channels = httpx.get(f"{org}/lines/{SIP}/channels", headers=admin).json()
    assert channels["current"]["channels"] == 20 and channels["can_change_now"] is False
    refused = httpx.post(f"{org}/lines/{SIP}/channels", json={"channels": 30}, headers=admin)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "channels.change_too_soon"
    assert refused.json()["next_change_at"] == channels["next_change_at"]
    review = httpx.post(f"{org}/lines/{SIP}/channels/review", json={"channels": 30}, headers=admin)
    assert review.status_code == 422 and review.json()["code"] == "channels.change_too_soon"
    bundle = httpx.post(f"{org}/lines/{SIP}/add-ons", json={"service_id": "sip-3000-min"}, headers=admin)
    assert (bundle.status_code, bundle.json()["code"]) == (422, "add_on.not_self_service")  # written application

    # Call detail by e-mail: refused for another company's number; ordered, then mailed as an attachment.
    today = datetime.now(UTC).date().isoformat()
    order = {"numbers": "375170003003;375170003004", "date_from": today, "date_to": today, "direction": "both"}
    foreign = httpx.post(f"{org}/call-detail-orders", json={**order, "numbers": "375170003003;375290000000"},
                         headers=admin)
    assert (foreign.status_code, foreign.json()["code"]) == (422, "detail.foreign_number")
    mails = stack.log_text("smtp-sink").count("Детализация звонков")
    ordered = httpx.post(f"{org}/call-detail-orders", json=order,
                         headers={**admin, "idempotency-key": f"detail-{uuid.uuid4()}"})
    assert ordered.status_code == 202, ordered.text
    mailed = poll(lambda: stack.log_text("smtp-sink"), lambda text: text.count("Детализация звонков") > mails,
                  timeout=30)
    assert "admin@alfa-telecom.example" in mailed

    # A two-hour call of the SIP-номер to another network, posted twice by the switch.
    started = datetime.now(UTC) - timedelta(seconds=5)
    call = {"origin": "e2e-switch", "call_id": "e2e-call-1", "kind": "call", "caller": "375170003004",
            "callee": "375331234567", "started_at": started.isoformat(), "duration_s": 7199}
    first = httpx.post(f"{stack.urls['telephony']}/internal/v1/cdrs", json={"items": [call]}, headers=internal)
    again = httpx.post(f"{stack.urls['telephony']}/internal/v1/cdrs", json={"items": [call]}, headers=internal)
    assert (first.json()["accepted"], again.json()["accepted"], again.json()["duplicates"]) == (1, 0, 1)

    def telephony_usage() -> Decimal:
        lines = httpx.get(f"{org}/telephony/lines", headers=admin).json()["items"]
        return Decimal(next(c for c in lines if c["line_id"] == SIP_NUMBER)["usage_this_month"])

    def invoiced_usage(response: httpx.Response) -> Decimal:
        subscriber = next(s for s in response.json()["subscribers"] if s["line_id"] == SIP_NUMBER)
        return sum((Decimal(line["net"]) for line in subscriber["lines"] if line["kind"] == "usage"), Decimal(0))

    expected = telephony_usage()
    assert expected >= Decimal("7.20")  # 120 minutes at 0.06 or more
    charges = poll(lambda: httpx.get(f"{stack.urls['invoicing']}/internal/v1/accounts/3003/charges",
                                     headers=internal),
                   lambda r: r.status_code == 200 and invoiced_usage(r).quantize(Decimal("0.01")) == expected,
                   timeout=30)
    assert invoiced_usage(charges).quantize(Decimal("0.01")) == expected, charges.text
    quantities = [line["quantity"] for s in charges.json()["subscribers"] for line in s["lines"]
                  if line["kind"] == "usage"]
    assert "02:00:00" in quantities  # the call's own line, once


def test_the_readme_telephony_flow_runs_as_written(demo_stack: Stack) -> None:
    stack = demo_stack
    admin = stack.login("a1-3003", "demo-admin-3003")
    poll(lambda: httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/3003/lines/{SIP}/channels", headers=admin),
         lambda r: r.status_code == 200 and r.json()["current"] is not None)
    script = _readme_flow("demo-admin-3003")
    for port, service in ((8103, "invoicing"), (8104, "telephony")):
        script = script.replace(f"http://127.0.0.1:{port}", stack.urls[service])
    lines, channels, refused, detail, last_month, sip, ordered, cdrs, charges = _run(stack, script)
    assert [c.get("free_minutes_total") for c in lines["items"]] == [3000, None]
    assert channels["current"]["channels"] == 20
    assert (refused["code"], refused["next_change_at"]) == ("channels.change_too_soon", channels["next_change_at"])
    assert detail["period"] == "current" and sip["auth_password"] == "********"
    assert last_month["total"] > 0 and last_month["items"]  # the demo's history: past months show calls
    assert ordered["status"] == "ordered"
    assert (cdrs["accepted"], cdrs["duplicates"]) == (1, 1)
    assert charges["account_id"] == "3003"
