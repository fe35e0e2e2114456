"""Payment guarantee (seed 004, "Регистрация платежей"): an organization whose contract is older than
3 months may promise to pay by a date no later than the 10th of next month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.payments.domain.facts import AccountFacts
from shared.calendar import add_months, local_date, tenth_of_next_month
from shared.errors import DomainError

__all__ = ["MIN_CONTRACT_MONTHS", "Guarantee", "GuaranteeRefused", "check_guarantee"]

MIN_CONTRACT_MONTHS = 3


class GuaranteeRefused(DomainError):
    pass


@dataclass(frozen=True)
class Guarantee:
    guarantee_id: str
    amount: Decimal
    pay_by: date
    invoice_ref: str | None
    registered_at: datetime | None


def check_guarantee(facts: AccountFacts, pay_by: date, now: datetime, tz: ZoneInfo) -> None:
    today = local_date(now, tz)
    if facts.closed:
        raise GuaranteeRefused("guarantee.account_closed", "the account is closed")
    if facts.organization_id is None:
        raise GuaranteeRefused("guarantee.not_an_organization", "payment guarantees are for organizations")
    contract = facts.contract_date or local_date(facts.opened_at, tz)
    three_months = add_months(contract, MIN_CONTRACT_MONTHS)
    if today <= three_months:
        raise GuaranteeRefused(
            "guarantee.contract_too_young",
            "payment guarantees are available when the contract is older than 3 months",
            available_from=(three_months + timedelta(days=1)).isoformat(),
        )
    if pay_by < today:
        raise GuaranteeRefused("guarantee.pay_by_in_the_past", "the promised date has already passed")
    latest = tenth_of_next_month(today)
    if pay_by > latest:
        raise GuaranteeRefused(
            "guarantee.pay_by_too_late",
            f"the promised date may be no later than {latest.isoformat()}",
            latest=latest.isoformat(),
        )
