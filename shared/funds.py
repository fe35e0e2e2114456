"""Available funds: the one definition every service uses (docs/events.md "Money seen the same way
everywhere").

    available = round_money(opening balance
                            + Σ PaymentRegistered - Σ PaymentReversed
                            + Σ PromisedPaymentTaken - Σ PromisedPaymentRepaid - Σ PromisedPaymentExpired.withdrawn
                            - Σ ChargePosted.total)

Each service keeps the running sums in its own tables (or aggregate), moved by `movement` for each
event it reads, and asks `Funds.available` for the figure: charge totals have 4 decimals, so the
sums are kept unrounded and rounded once, here, at the end. Pure: no I/O. Who reads what:
accounts' financial block, payments' autopay and promised-payment offer, notifications' period-end
reminder, the gateway's balance and summary.

A consumer applies a ChargePosted at most once per `charge_id` (its own table of posted charge ids),
beside the per-stream version check every projection makes: a charge posted again under a new event
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.money import round_money

__all__ = ["ZERO", "Funds", "movement"]

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class Funds:
    """An account's running sums. `credited` is everything billing.payments.events move (payments,
    less reversals, plus promised credit still outstanding); `charged` is the sum of the charge
    totals billing.invoicing.events posted (a credit line is negative), unrounded."""

    opening_balance: Decimal = ZERO
    credited: Decimal = ZERO
    charged: Decimal = ZERO

    def __add__(self, other: Funds) -> Funds:
        return Funds(self.opening_balance + other.opening_balance, self.credited + other.credited,
                     self.charged + other.charged)

    @property
    def available(self) -> Decimal:
        """What the account may still spend, at the ledger's 2 decimals: the one rounding."""
        return round_money(self.opening_balance + self.credited - self.charged)

    @property
    def charged_total(self) -> Decimal:
        """The charges as the ledger shows them (2 decimals)."""
        return round_money(self.charged)


def _amount(field: str, sign: int) -> Callable[[Mapping[str, Any]], Funds]:
    return lambda payload: Funds(credited=sign * Decimal(str(payload[field])))


#: How each published event moves the sums, by (service, event type), read from its payload as
#: docs/events.md documents it. A repayment takes back the credit it repaid: the payment that
#: repaid it was counted already (take 30, pay 30 leaves 30, not 60).
_MOVES: dict[tuple[str, str], Callable[[Mapping[str, Any]], Funds]] = {
    ("payments", "PaymentRegistered"): _amount("amount", +1),
    ("payments", "PaymentReversed"): _amount("amount", -1),
    ("payments", "PromisedPaymentTaken"): _amount("amount", +1),
    ("payments", "PromisedPaymentRepaid"): _amount("amount", -1),
    ("payments", "PromisedPaymentExpired"): _amount("withdrawn", -1),
    ("invoicing", "ChargePosted"): lambda payload: Funds(charged=Decimal(str(payload["total"]))),
}


def movement(service: str, event_type: str, payload: Mapping[str, Any]) -> Funds | None:
    """How the event moves the account's funds, or None when it does not. `service` is the
    publisher (`payments`, or the CloudEvents source `/billing/payments`)."""
    move = _MOVES.get((service.rsplit("/", 1)[-1], event_type))
    return move(payload) if move is not None else None
