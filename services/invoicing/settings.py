from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import CommonSettings

__all__ = ["CHARGING_RULES", "InvoicingSettings"]

CHARGING_RULES = Path(__file__).parent / "charging" / "rules.v1.json"


class InvoicingSettings(CommonSettings):
    invoicing_http_port: int = 8103
    #: How each tariff and add-on is charged (versioned: rules.v<N>.json, domain/rules.py).
    charging_rules: Path = CHARGING_RULES
    #: Invoice numbers are `<prefix>-<year>-<number>`, gapless per prefix and year.
    invoice_series_prefix: str = Field(default="INV", pattern=r"^[A-Z0-9]{1,10}$")
    #: Accounts a bill run invoices per transaction (progress is reported per batch).
    bill_run_batch_size: int = Field(default=200, ge=1, le=5000)
    #: Minutes past midnight on the 1st before the timer's bill run invoices (facts still in flight).
    bill_run_grace_minutes: int = Field(default=60, ge=0, le=24 * 60)
    #: Accounts the posting worker takes per transaction.
    posting_batch_size: int = Field(default=50, ge=1, le=1000)
