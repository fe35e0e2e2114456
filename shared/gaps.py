"""The bound on waiting for a missing version (see `shared/projection.py`).

`give_up_overdue` looks for streams whose oldest parked event has waited longer than the bound and
stops waiting for them: the parked events are applied in order, the versions skipped are recorded in
`projection_missing` (one of them arriving later is still applied), and an error is logged and
counted. `refresh_gauges` keeps the parked and missing counts visible until someone repairs the
stream. The consumer runs both periodically (`ProjectionConsumer.watch`), so the bound holds even
when no message arrives.
"""

from __future__ import annotations

from shared.db import Connection, Pool
from shared.logging import get_logger
from shared.metrics import PROJECTION_GAPS_GIVEN_UP, PROJECTION_MISSING, PROJECTION_PARKED
from shared.projection import DeadLetter, Projection, apply_parked
from shared.tracking import StreamTracker

__all__ = ["give_up_overdue", "refresh_gauges"]

log = get_logger(__name__)

_OVERDUE = (
    "SELECT stream_id FROM projection_parked WHERE projection = $1 AND ($2::text IS NULL OR stream_id = $2)"
    " GROUP BY stream_id HAVING min(parked_at) <= now() - make_interval(secs => $3) ORDER BY 1"
)


async def give_up_overdue(
    pool: Pool, projection: Projection, bound: float, dead_letter: DeadLetter | None = None
) -> int:
    """Stop waiting on every stream whose gap is older than `bound` seconds; the number of streams."""
    given_up = 0
    for row in await pool.fetch(_OVERDUE, projection.name, None, bound):
        async with pool.acquire() as conn, conn.transaction():
            tracker = StreamTracker(projection.name)
            await tracker.load(conn, {row["stream_id"]})
            # Under the stream's lock: a batch may have filled the gap meanwhile.
            if await conn.fetchval(_OVERDUE, projection.name, row["stream_id"], bound) is None:
                continue
            await _give_up(conn, projection, tracker, row["stream_id"], dead_letter)
            await tracker.save(conn)
        given_up += 1
    return given_up


async def _give_up(
    conn: Connection, projection: Projection, tracker: StreamTracker, stream_id: str,
    dead_letter: DeadLetter | None,
) -> None:
    state = tracker.state(stream_id)
    skipped: list[tuple[int, int]] = []
    applied = 0
    for version in sorted(state.parked):
        event = await tracker.unpark(conn, stream_id, version)
        if event is None or version <= state.applied:
            continue  # stale: applied meanwhile (a rebuild, or a version given up on that arrived)
        hole = tracker.skip_to(stream_id, version)
        if hole is not None:
            skipped.append(hole)
        if await apply_parked(conn, projection, tracker, event, dead_letter):
            applied += 1
        else:  # refused by `apply` and dead-lettered: missing like the others
            skipped.append((version, version))
            tracker.skip_to(stream_id, version + 1)
    PROJECTION_GAPS_GIVEN_UP.labels(projection.name).inc()
    log.error("projection.gap_given_up", projection=projection.name, stream_id=stream_id,
              missing=[list(r) for r in skipped], applied_after_wait=applied, applied_up_to=state.applied)


async def refresh_gauges(pool: Pool, projection: str) -> tuple[int, int]:
    """Set the parked-events and missing-versions gauges of `projection`; both counts."""
    row = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM projection_parked WHERE projection = $1) AS parked,"
        " (SELECT coalesce(sum(last_version - first_version + 1), 0) FROM projection_missing"
        "  WHERE projection = $1) AS missing",
        projection,
    )
    assert row is not None
    PROJECTION_PARKED.labels(projection).set(row["parked"])
    PROJECTION_MISSING.labels(projection).set(row["missing"])
    return int(row["parked"]), int(row["missing"])
