"""The floor of the gateway section (bench/gateway.py): a bare Litestar app, no database, no
middleware, one GET route answering a JSON document shaped like the cabinet's account summary.

Started by granian exactly as the Procfile starts the gateway, with `bench.bare_app:create_app`
in place of the gateway's factory (same workers, loop and log level)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get

__all__ = ["SUMMARY", "create_app"]

SUMMARY: dict[str, Any] = {
    "account_id": "1015",
    "contract_number": "1015",
    "client": {"name": "Иванов Иван Иванович", "kind": "person"},
    "organization_id": None,
    "payment_form": "prepaid",
    "opened_at": "2024-01-10T09:00:00+00:00",
    "status": "active",
    "balance": "1250.00",
    "available": "1250.00",
    "promised_outstanding": "0.00",
    "opening_balance": "0.00",
    "lines": [{
        "line_id": "isp-1015", "kind": "internet", "identifier": "1015", "subscriber_name": None,
        "tariff": {"tariff_id": "isp-50", "name": "Безлимитный 50 Мбит/с, 1 мес", "monthly_fee": "25.00",  # noqa: RUF001
                   "vat_rate": "20", "effective_from": "2024-01-10"},
        "add_ons": [],
    }],
    "blocks": {"terms": {"yearly_quota": 1, "min_days": 7, "max_days": 90}, "available": 1,
               "scheduled": [], "history": []},
}


@get("/api/v1/accounts/{account_id:str}/summary", sync_to_thread=False)
def summary(account_id: str) -> dict[str, Any]:
    return {**SUMMARY, "account_id": account_id}


def create_app() -> Litestar:
    return Litestar(route_handlers=[summary], openapi_config=None, debug=False)
