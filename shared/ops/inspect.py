"""What ops look at: where every store, relay and projection is, and one stream's events."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from shared.db import quote_ident
from shared.kafka import topic_size

__all__ = ["consumer_lag", "event_schemas", "positions", "stream_events"]


async def event_schemas(conn: asyncpg.Connection) -> list[str]:
    """Schemas holding an event store or projection tracking: one per service."""
    rows = await conn.fetch(
        "SELECT DISTINCT table_schema FROM information_schema.tables"
        " WHERE table_name IN ('events', 'projection_streams') ORDER BY 1"
    )
    return [r["table_schema"] for r in rows]


# Per projection: streams applied, last position, gaps ever noticed, streams waiting on a gap now, the
# events parked behind those gaps, and the versions given up on that never arrived.
_PROJECTIONS = """
WITH names AS (SELECT projection FROM {s}.projection_streams UNION SELECT projection FROM {s}.projection_parked)
SELECT n.projection,
  (SELECT count(*) FROM {s}.projection_streams p WHERE p.projection = n.projection) AS streams,
  (SELECT max(global_position) FROM {s}.projection_streams p WHERE p.projection = n.projection) AS position,
  (SELECT count(*) FROM {s}.projection_gaps g WHERE g.projection = n.projection) AS gaps,
  (SELECT count(DISTINCT stream_id) FROM {s}.projection_parked k WHERE k.projection = n.projection) AS waiting,
  (SELECT count(*) FROM {s}.projection_parked k WHERE k.projection = n.projection) AS parked,
  (SELECT coalesce(sum(last_version - first_version + 1), 0) FROM {s}.projection_missing m
    WHERE m.projection = n.projection) AS missing
FROM names n ORDER BY 1
"""


async def positions(dsn: str) -> list[dict[str, Any]]:
    """Per service: store head, relay checkpoint and lag; per projection: streams, position, gaps
    (noticed; streams waiting now, events parked, versions missing)."""
    conn = await asyncpg.connect(dsn)
    report: list[dict[str, Any]] = []
    try:
        for schema in await event_schemas(conn):
            s = quote_ident(schema)
            head = await conn.fetchval(f"SELECT coalesce(max(global_position), 0) FROM {s}.events")
            relays = await conn.fetch(f"SELECT relay, global_position, updated_at FROM {s}.relay_checkpoints")
            published = max((r["global_position"] for r in relays), default=0)
            unpublished = await conn.fetchval(
                f"SELECT count(*) FROM {s}.events WHERE global_position > $1", published
            )
            report.append({"schema": schema, "kind": "store", "name": schema, "head": head,
                           "position": published, "lag": unpublished})
            for p in await conn.fetch(_PROJECTIONS.format(s=s)):
                report.append({"schema": schema, "kind": "projection", "name": p["projection"],
                               "streams": p["streams"], "position": p["position"], "gaps": p["gaps"],
                               "waiting": p["waiting"], "parked": p["parked"], "missing": p["missing"]})
    finally:
        await conn.close()
    return report


async def consumer_lag(bootstrap: str, groups: list[str], topics: list[str]) -> list[dict[str, Any]]:
    """Committed offsets of each consumer group against the topics' end: messages not yet consumed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    rows: list[dict[str, Any]] = []
    try:
        ends = {t: await topic_size(bootstrap, t) for t in topics}
        for group in groups:
            offsets: dict[TopicPartition, Any] = await admin.list_consumer_group_offsets(group)
            for topic in topics:
                committed = sum(o.offset for tp, o in offsets.items() if tp.topic == topic and o.offset >= 0)
                end = ends.get(topic)
                if end is None or not any(tp.topic == topic for tp in offsets):
                    continue
                rows.append({"group": group, "topic": topic, "committed": committed, "end": end,
                             "lag": end - committed})
    finally:
        await admin.close()
    return rows


async def stream_events(dsn: str, schema: str, stream_id: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            f"SELECT stream_version, global_position, event_type, schema_version, payload::text AS payload,"
            f" metadata::text AS metadata, occurred_at FROM {quote_ident(schema)}.events"
            f" WHERE stream_id = $1 ORDER BY stream_version",
            stream_id,
        )
    finally:
        await conn.close()
    return [
        json.dumps({"version": r["stream_version"], "position": r["global_position"],
                    "type": f"{r['event_type']}.v{r['schema_version']}", "occurred_at": r["occurred_at"].isoformat(),
                    "payload": json.loads(r["payload"]), "metadata": json.loads(r["metadata"])},
                   ensure_ascii=False)
        for r in rows
    ]
