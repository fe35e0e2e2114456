"""What the payments service knows about an account from the accounts service's and invoicing's
events (its local projection, services/payments/projections/account_facts.py). Decisions read it;
they never change it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

__all__ = ["AccountFacts"]


@dataclass(frozen=True)
class AccountFacts:
    account_id: str
    opened_at: datetime
    payment_form: str
    #: Balance carried over from the previous billing system (may be negative).
    opening_balance: Decimal
    #: The account's periodic fees this period and next, as invoicing forecasts them (FeesForecast).
    monthly_fee: Decimal
    next_period_fee: Decimal
    #: What invoicing charged the account so far (Σ ChargePosted.total, unrounded; shared/funds.py).
    charged: Decimal = Decimal("0")
    closed: bool = False
    #: The organization's client id when the account belongs to an organization.
    organization_id: str | None = None
    #: The date of the organization's contract (ClientRegistered.contract_date), if known.
    contract_date: date | None = None
