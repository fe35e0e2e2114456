"""The README's curl flows, run as written (only the ports and the internal token are this stack's),
line after line with no pause: each answer shows current data (issue 10, items 8 and 9)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta
from typing import Any

import httpx

from shared.run import ROOT
from tests.e2e.conftest import Stack, debtor_blocked_by_charges, poll


def _readme_flow(containing: str) -> str:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return next(block for block in blocks if containing in block)


def _run(stack: Stack, script: str) -> list[Any]:
    """The snippet in bash against this stack; every curl's answer, in order, as JSON."""
    for port, service in ((8100, "gateway"), (8101, "payments")):
        script = script.replace(f"http://127.0.0.1:{port}", stack.urls[service])
    script = script.replace("dev-internal-token", stack.env["INTERNAL_API_TOKEN"])
    script = script.replace("curl -s ", "curl -s -w '\\n' ")  # one answer a line
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_the_readme_flows_show_current_data_line_after_line(stack: Stack) -> None:
    stack.load_demo_data()
    me = stack.login("2002", "demo-2002-pass")
    offer = poll(lambda: httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/2002/promised-payments/offer",
                                   headers=me), lambda r: r.status_code == 200)
    assert offer.status_code == 200, offer.text  # the payments service knows the demo accounts

    summary, scheduled, blocks, payment, _history = _run(stack, _readme_flow("demo-1015-pass"))
    tomorrow = (date.fromisoformat(summary["business_date"]) + timedelta(days=1)).isoformat()
    assert summary["time_zone"] == "Europe/Minsk"
    assert scheduled["starts_on"] == tomorrow, scheduled
    assert [(b["block_id"], b["starts_on"], b["state"]) for b in blocks["scheduled"]] == [
        (scheduled["block_id"], tomorrow, "scheduled")]
    assert payment["amount"] == "150.00", payment

    charged = debtor_blocked_by_charges(stack, me)["charged_total"]
    taken, after, top_up = _run(stack, _readme_flow("demo-2002-pass"))  # OFFER=$(...) prints nothing
    assert taken["outstanding"] == charged and taken["status_current"] is True, taken
    assert (after["status"], after["balance"]) == ("active", "0.00")  # the very next line
    assert top_up["redirect_url"]

    # Issue 13's flow: the knowledge base, a support request, the add-ons, the TV line, the requisites.
    pages, filed, requests, options, connected, tv, requisites = _run(stack, _readme_flow("knowledge-base"))
    assert pages["pages"] and filed["status"] == "open"
    assert [r["request_id"] for r in requests["items"]] == [filed["request_id"]]
    assert [a["service_id"] for a in options["add_ons"]] == ["static-ip"] and connected["connected"] is True
    assert {p["service_id"] for p in tv["packages"] if p["active"]} == {"smotreshka-start"}
    assert requisites["client"]["name"] == "Иванов Иван Николаевич" and requisites["contract"]["number"] == "1015"
