"""Dead letters: what a projection sent to `<topic>.dlq`, kept on record in its service's database.

The DLQ message is the content (value and headers, `x-error` among them); the row in
`dead_letters` (kernel SQL 005) is its state: open until ops retry it (`billing dlq retry`: back to
its topic after a fix) or drop it (`billing dlq drop`), each action recorded in `dlq_actions` with
who and when. `billing_dlq_depth{projection}` counts the open ones (refreshed by the consumer's
watch with the other gauges).

A dead letter is named by where it came from, `source`: `<topic>@<partition>:<offset>` for a
message (the headers `x-original-topic/-partition/-offset`), `<topic>#<stream>@<version>` for a
parked event refused when its turn came (`x-parked`). The same message dead-lettered again (its
batch redelivered) is the same row."""

from __future__ import annotations

from collections.abc import Mapping

from shared.db import Connection, Pool
from shared.metrics import DLQ_DEPTH

__all__ = ["record_dead_letter", "refresh_depth", "source_of"]


def source_of(headers: Mapping[str, str]) -> str:
    topic = headers.get("x-original-topic", "")
    if headers.get("x-parked") == "true":
        return f"{topic}#{headers.get('ce_streamid')}@{headers.get('ce_streamversion')}"
    return f"{topic}@{headers.get('x-original-partition')}:{headers.get('x-original-offset')}"


async def record_dead_letter(db: Pool | Connection, headers: Mapping[str, str]) -> None:
    """Put a dead letter on record as it goes to the DLQ (its own statement: the message stays in
    the DLQ even if the batch that sent it rolls back)."""
    version = headers.get("ce_streamversion")
    await db.execute(
        "INSERT INTO dead_letters (projection, source, topic, event_type, stream_id, stream_version, error)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        headers.get("x-projection", ""), source_of(headers), headers.get("x-original-topic", ""),
        headers.get("ce_eventtype"), headers.get("ce_streamid"),
        int(version) if version and version.isdigit() else None,
        headers.get("x-error", ""),
    )


async def refresh_depth(pool: Pool, projection: str) -> int:
    depth = int(await pool.fetchval(
        "SELECT count(*) FROM dead_letters WHERE projection = $1 AND resolution IS NULL", projection))
    DLQ_DEPTH.labels(projection).set(depth)
    return depth
