"""What the payments service's routes share beyond the request edge of shared/http.py (account id,
actor, idempotency key, command metadata and answer): money from untrusted input."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from shared.money import parse_amount

__all__ = ["Amount"]

#: A ledger amount from untrusted input: a decimal string or integer, positive, 2 decimals at most.
Amount = Annotated[Decimal, BeforeValidator(parse_amount)]
