"""What every internal route of the accounts service shares: identifiers, metadata, answers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response
from litestar.params import Parameter

from services.accounts.application.ports import answer
from shared.commands import CommandResult
from shared.eventstore import Metadata
from shared.logging import correlation_id, new_correlation_id

__all__ = ["ID", "Actor", "IdempotencyKey", "command_response", "metadata"]

#: Account, line, client and user ids: letters, digits, `_` and `-`.
ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"

Actor = Annotated[str, Parameter(header="x-actor", default="operator")]
IdempotencyKey = Annotated[str | None, Parameter(header="idempotency-key", default=None, max_length=200)]


def metadata(actor: str) -> Metadata:
    return Metadata(correlation_id=correlation_id() or new_correlation_id(), actor=actor[:128])


def command_response(result: CommandResult, status: int = 200) -> Response[dict[str, Any]]:
    """The command's body with stream id, version and position; a repeat says it is one."""
    if result.repeated:
        return Response(answer(result), status_code=200, headers={"idempotent-replayed": "true"})
    return Response(answer(result), status_code=status)
