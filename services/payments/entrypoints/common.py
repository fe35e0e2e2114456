"""What the payments service's HTTP routes share: ids, amounts, headers, command answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from litestar import Response
from litestar.params import Parameter
from pydantic import BeforeValidator

from shared.commands import CommandResult
from shared.eventstore import Metadata
from shared.logging import correlation_id, new_correlation_id
from shared.money import parse_amount

__all__ = ["ACCOUNT_ID", "AccountId", "Actor", "Amount", "ClientKey", "command_metadata", "command_response"]

ACCOUNT_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"

#: A ledger amount from untrusted input: a decimal string or integer, positive, 2 decimals at most.
Amount = Annotated[Decimal, BeforeValidator(parse_amount)]
AccountId = Annotated[str, Parameter(pattern=ACCOUNT_ID, description="personal account id")]
Actor = Annotated[str, Parameter(header="x-actor", default="operator")]
ClientKey = Annotated[str | None, Parameter(header="idempotency-key", default=None, max_length=300)]


def command_metadata(actor: str) -> Metadata:
    return Metadata(correlation_id=correlation_id() or new_correlation_id(), actor=actor[:128])


def command_response(result: CommandResult, status: int = 201) -> Response[dict[str, Any]]:
    """The command's body plus where its events landed (read-your-writes); a repeat answers 200."""
    body = {**result.body, "stream_id": result.stream_id, "stream_version": result.stream_version,
            "position": result.last_position}
    return Response(body, status_code=200 if result.repeated else status,
                    headers={"idempotent-replayed": "true"} if result.repeated else {})
