"""One page of a list answer: its items, the total, and where the page starts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["TOTAL", "page_of"]

#: The column a paged query adds (`count(*) OVER () AS total`) to count every matching row.
TOTAL = "total"


def page_of(rows: Sequence[Any], fields: Iterable[str], *, limit: int, offset: int) -> dict[str, Any]:
    """`{"items": [...], "total": n, "limit": .., "offset": ..}` from rows (asyncpg records or
    mappings) carrying a `total` column."""
    names = tuple(fields)
    return {
        "items": [{name: row[name] for name in names} for row in rows],
        "total": rows[0][TOTAL] if rows else 0,
        "limit": limit,
        "offset": offset,
    }
