"""The use cases' context on the service's own tables: wired the same way by the service
(app.py), the bill-run CLI, the tests and the bench."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from services.invoicing.adapters.tables import (
    BillRunsTable,
    ChargeLinesTable,
    InvoicesTable,
    PlansTable,
    PostingQueueTable,
)
from services.invoicing.application.context import Invoicing
from services.invoicing.domain.rules import ChargingRules
from services.invoicing.settings import InvoicingSettings
from shared.clock import Clock
from shared.eventstore import EventStore

__all__ = ["load_rules", "wire_invoicing"]


def load_rules(path: Path) -> ChargingRules:
    """The charging rules file, or the process stops naming the setting."""
    try:
        return ChargingRules.load(path)
    except (OSError, ValueError) as error:
        raise SystemExit(f"CHARGING_RULES: cannot load {path}: {error}") from None


def wire_invoicing(store: EventStore, clock: Clock, tz: ZoneInfo, rules: ChargingRules,
                   settings: InvoicingSettings | None = None) -> Invoicing:
    if settings is None:
        return Invoicing(store, clock, tz, rules, PlansTable(), PostingQueueTable(), ChargeLinesTable(),
                         InvoicesTable(), BillRunsTable())
    return Invoicing(store, clock, tz, rules, PlansTable(), PostingQueueTable(), ChargeLinesTable(), InvoicesTable(),
                     BillRunsTable(), settings.invoice_series_prefix, settings.bill_run_batch_size,
                     settings.posting_batch_size, settings.bill_run_grace_minutes)
