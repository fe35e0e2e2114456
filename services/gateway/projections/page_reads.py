"""What a cabinet page's one read brings besides the page (the read models' side of the checks the
gateway makes before answering; entrypoints/common.py `Page.admit` decides on them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["SESSION_ENDED", "AccountRead"]

#: A column of a page's read: whether the session given as parameter $2 has ended. The table is
#: written by auth/sessions.py, which asks the same alone (`session_ended`) for the other routes.
SESSION_ENDED = "EXISTS (SELECT 1 FROM ended_sessions WHERE session_id = $2) AS session_ended"


@dataclass(frozen=True)
class AccountRead:
    """A page read together with whether the caller's session has ended, whether the cabinet knows
    the account, and the account's organization (who may see it: `visible_in_row`)."""

    session_ended: bool
    known: bool
    organization_id: str | None
    page: dict[str, Any] | None  # None: nothing to show (an unknown account)
