"""Domain errors carry a stable code; the HTTP edge maps them once to problem details."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConcurrencyConflict",
    "Conflict",
    "DomainError",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "ValidationFailed",
]


class DomainError(Exception):
    """A business rule refused the command. `code` is stable API (`promised_payment.outstanding`)."""

    status = 422

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra


class ValidationFailed(DomainError):
    """The request matches the API (its schema), but a rule refuses its values: a weak password, a
    block starting in the past, a date range the cabinet does not show. 422, like any business rule;
    400 is kept for requests that do not match the API at all (shared/http.py, shared/openapi.py)."""

    status = 422


class NotFound(DomainError):
    status = 404


class Unauthenticated(DomainError):
    """Who is calling could not be established (bad credentials, expired or forged token)."""

    status = 401


class Forbidden(DomainError):
    """The caller is known but may not do this (yet): e.g. a password change is due first."""

    status = 403


class RateLimited(DomainError):
    """Too many attempts; `retry_after_s` (in `extra`) says when to try again."""

    status = 429


class Conflict(DomainError):
    """The request contradicts what was recorded before (a reused key, a duplicate id)."""

    status = 409


class ConcurrencyConflict(DomainError):
    """The stream moved on while the command decided; retried, then answered 409."""

    status = 409

    def __init__(self, stream_id: str, expected: int, actual: int | None = None) -> None:
        super().__init__(
            "concurrency.conflict",
            f"stream {stream_id} is at another version than expected {expected}",
            stream_id=stream_id,
        )
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
