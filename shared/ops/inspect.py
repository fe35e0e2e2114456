"""What ops look at: where every store, relay and projection is, and one stream's events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from shared.db import quote_ident
from shared.kafka import end_offsets
from shared.ops.databases import redacted

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
  (SELECT count(*) FROM {s}.projection_streams p WHERE p.projection = n.projection AND p.stream_version > 0) AS streams,
  (SELECT max(global_position) FROM {s}.projection_streams p WHERE p.projection = n.projection) AS position,
  (SELECT count(*) FROM {s}.projection_gaps g WHERE g.projection = n.projection) AS gaps,
  (SELECT count(DISTINCT stream_id) FROM {s}.projection_parked k WHERE k.projection = n.projection) AS waiting,
  (SELECT count(*) FROM {s}.projection_parked k WHERE k.projection = n.projection) AS parked,
  (SELECT coalesce(sum(last_version - first_version + 1), 0) FROM {s}.projection_missing m
    WHERE m.projection = n.projection) AS missing
FROM names n ORDER BY 1
"""


async def positions(databases: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per service: store head, relay checkpoint and lag; per projection: streams, position, gaps.

    `databases` maps a service (its schema) to its database. Each database is looked into once; a
    schema named after a service counts only in that service's own database (a copy left behind in
    another one, e.g. before the split into one database per service, is not it), any other schema
    wherever it is found."""
    report: list[dict[str, Any]] = []
    for dsn in dict.fromkeys(databases.values()):
        conn = await asyncpg.connect(dsn)
        try:
            for schema in await event_schemas(conn):
                if databases.get(schema, dsn) == dsn:
                    report.extend(await _schema_positions(conn, schema, redacted(dsn)))
        finally:
            await conn.close()
    return report


async def _schema_positions(conn: asyncpg.Connection, schema: str, database: str) -> list[dict[str, Any]]:
    s = quote_ident(schema)
    head = await conn.fetchval(f"SELECT coalesce(max(global_position), 0) FROM {s}.events")
    relays = await conn.fetch(f"SELECT relay, global_position, updated_at FROM {s}.relay_checkpoints")
    published = max((r["global_position"] for r in relays), default=0)
    unpublished = await conn.fetchval(f"SELECT count(*) FROM {s}.events WHERE global_position > $1", published)
    report: list[dict[str, Any]] = [{"schema": schema, "kind": "store", "name": schema, "head": head,
                                     "position": published, "lag": unpublished, "database": database}]
    for p in await conn.fetch(_PROJECTIONS.format(s=s)):
        report.append({"schema": schema, "kind": "projection", "name": p["projection"], "streams": p["streams"],
                       "position": p["position"], "gaps": p["gaps"], "waiting": p["waiting"], "parked": p["parked"],
                       "missing": p["missing"], "database": database})
    return report


async def consumer_lag(bootstrap: str, topics: list[str]) -> list[dict[str, Any]]:
    """Every consumer group reading `topics`, per partition: its committed offset, the partition's
    end, and the lag between them (messages not yet consumed). Groups come from the broker."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    rows: list[dict[str, Any]] = []
    try:
        ends = {t: await end_offsets(bootstrap, t) or [] for t in topics}
        groups = sorted(str(g[0]) for g in await admin.list_consumer_groups())
        for group in groups:
            offsets: dict[TopicPartition, Any] = await admin.list_consumer_group_offsets(group)
            for tp, committed in sorted(offsets.items(), key=lambda item: (item[0].topic, item[0].partition)):
                if tp.topic not in ends or tp.partition >= len(ends[tp.topic]):
                    continue
                end = ends[tp.topic][tp.partition]
                done = max(committed.offset, 0)
                rows.append({"group": group, "topic": tp.topic, "partition": tp.partition,
                             "committed": done, "end": end, "lag": max(end - done, 0)})
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
