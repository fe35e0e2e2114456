"""Where one projection is in each stream (`shared/ordering.py`), loaded for a batch and saved with it.

Tables (kernel SQL 002 and 004): `projection_streams` holds the applied prefix of each stream,
`projection_missing` the versions given up on, `projection_parked` the events waiting for an earlier
version. Loading locks the batch's stream rows (`FOR UPDATE`, in stream order, a row made first for a
stream never seen), so a batch and the gap watcher (`shared/gaps.py`), in this process or another,
never work on one stream at the same time, while two consumer instances on different partitions
never wait on each other (row locks: exact, and no entries in PostgreSQL's shared lock table).
"""

from __future__ import annotations

import copy

from shared.db import Connection
from shared.incoming import IncomingEvent
from shared.ordering import Decision, StreamState

__all__ = ["StreamTracker"]

_LOAD = """
SELECT stream_id, 'applied' AS kind, stream_version AS a, stream_version AS b FROM projection_streams
 WHERE projection = $1 AND stream_id = ANY($2::text[])
UNION ALL
SELECT stream_id, 'missing', first_version, last_version FROM projection_missing
 WHERE projection = $1 AND stream_id = ANY($2::text[])
UNION ALL
SELECT stream_id, 'parked', stream_version, stream_version FROM projection_parked
 WHERE projection = $1 AND stream_id = ANY($2::text[])
"""

Snapshot = tuple[StreamState, int | None, bool, bool]


class StreamTracker:
    """The per-stream state one projection has, for the streams of one batch (one transaction)."""

    def __init__(self, projection: str) -> None:
        self.projection = projection
        self._states: dict[str, StreamState] = {}
        self._positions: dict[str, int | None] = {}
        self._dirty: set[str] = set()  # applied prefix changed
        self._dirty_missing: set[str] = set()  # missing ranges changed

    async def load(self, conn: Connection, stream_ids: set[str]) -> None:
        self._states = {}
        self._positions.clear()
        self._dirty.clear()
        self._dirty_missing.clear()
        await self.load_more(conn, stream_ids)

    async def load_more(self, conn: Connection, stream_ids: set[str]) -> None:
        """Load the streams of `stream_ids` this tracker has not loaded, keeping the others' state,
        changes not saved included: a rebuild's pass keeps one tracker across its batches (its
        scratch tables have no other writer) and saves it at the end (`save`, then `forget`)."""
        ids = sorted(stream_ids.difference(self._states))
        if not ids:
            return
        # One row per stream (version 0 until something is applied), locked in one order, so two
        # transactions never wait on each other in a cycle.
        await conn.execute(
            "INSERT INTO projection_streams (projection, stream_id, stream_version)"
            " SELECT $1, s, 0 FROM unnest($2::text[]) AS s ON CONFLICT DO NOTHING",
            self.projection, ids,
        )
        await conn.execute(
            "SELECT 1 FROM projection_streams WHERE projection = $1 AND stream_id = ANY($2::text[])"
            " ORDER BY stream_id FOR UPDATE",
            self.projection, ids,
        )
        loaded: list[StreamState] = []
        for row in await conn.fetch(_LOAD, self.projection, ids):
            state = self.state(row["stream_id"])
            if row["kind"] == "applied":
                state.applied = row["a"]
                loaded.append(state)
            elif row["kind"] == "missing":
                state.missing.append((row["a"], row["b"]))
            else:
                state.parked.add(row["a"])
        for state in loaded:
            state.missing.sort()

    def __len__(self) -> int:
        """Streams loaded."""
        return len(self._states)

    def forget(self) -> None:
        """Drop every stream's state (saved first: `save`); the next `load_more` reads them again."""
        assert not self._dirty and not self._dirty_missing, "unsaved stream state"
        self._states = {}
        self._positions.clear()

    def state(self, stream_id: str) -> StreamState:
        state = self._states.get(stream_id)
        if state is None:  # (not setdefault: a replay asks this for every event it applies)
            state = self._states[stream_id] = StreamState()
        return state

    def decide(self, event: IncomingEvent) -> Decision:
        return self.state(event.stream_id).decide(event.stream_version)

    def advance(self, event: IncomingEvent) -> None:
        self.state(event.stream_id).advance(event.stream_version)
        self._positions[event.stream_id] = event.global_position
        self._dirty.add(event.stream_id)

    def fill(self, event: IncomingEvent) -> None:
        self.state(event.stream_id).fill(event.stream_version)
        self._dirty_missing.add(event.stream_id)

    def start_at(self, stream_id: str, version: int) -> None:
        """A replay that begins inside a stream (from a timestamp) takes it as starting at `version`:
        for a stream with nothing applied, parked or missing, the versions before it are not waited for."""
        state = self.state(stream_id)
        if state.applied == 0 and not state.parked and not state.missing and version > 1:
            state.applied = version - 1
            self._dirty.add(stream_id)

    def skip_to(self, stream_id: str, version: int) -> tuple[int, int] | None:
        skipped = self.state(stream_id).skip_to(version)
        if skipped is not None:
            self._dirty.add(stream_id)
            self._dirty_missing.add(stream_id)
        return skipped

    async def park(self, conn: Connection, event: IncomingEvent) -> bool:
        """Keep `event` until the versions before it arrive; True if it opens a gap."""
        await conn.execute(
            "INSERT INTO projection_parked (projection, stream_id, stream_version, event) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            self.projection, event.stream_id, event.stream_version, event.to_json(),
        )
        return self.state(event.stream_id).park(event.stream_version)

    async def unpark(self, conn: Connection, stream_id: str, version: int) -> IncomingEvent | None:
        """Take a parked event out of the table (to apply it, or because it is stale)."""
        self.state(stream_id).parked.discard(version)
        data = await conn.fetchval(
            "DELETE FROM projection_parked WHERE projection = $1 AND stream_id = $2 AND stream_version = $3"
            " RETURNING event",
            self.projection, stream_id, version,
        )
        return IncomingEvent.from_json(data) if data is not None else None

    def snapshot(self, stream_id: str) -> Snapshot:
        """What to put back if the savepoint of one event is rolled back."""
        return (copy.deepcopy(self.state(stream_id)), self._positions.get(stream_id),
                stream_id in self._dirty, stream_id in self._dirty_missing)

    def restore(self, stream_id: str, snapshot: Snapshot) -> None:
        state, position, dirty, dirty_missing = snapshot
        self._states[stream_id] = state
        self._positions[stream_id] = position
        for flag, names in ((dirty, self._dirty), (dirty_missing, self._dirty_missing)):
            if flag:
                names.add(stream_id)
            else:
                names.discard(stream_id)

    async def save(self, conn: Connection) -> None:
        if self._dirty:
            ids = sorted(self._dirty)
            await conn.execute(
                "INSERT INTO projection_streams (projection, stream_id, stream_version, global_position)"
                " SELECT $1, s, v, p FROM unnest($2::text[], $3::int[], $4::bigint[]) AS t(s, v, p)"
                " ON CONFLICT (projection, stream_id) DO UPDATE SET stream_version = excluded.stream_version,"
                " global_position = coalesce(excluded.global_position, projection_streams.global_position),"
                " updated_at = now()",
                self.projection, ids, [self._states[i].applied for i in ids], [self._positions.get(i) for i in ids],
            )
        if self._dirty_missing:
            ids = sorted(self._dirty_missing)
            await conn.execute(
                "DELETE FROM projection_missing WHERE projection = $1 AND stream_id = ANY($2::text[])",
                self.projection, ids,
            )
            ranges = [(i, first, last) for i in ids for first, last in self._states[i].missing]
            if ranges:
                await conn.executemany(
                    "INSERT INTO projection_missing (projection, stream_id, first_version, last_version)"
                    " VALUES ($1, $2, $3, $4)",
                    [(self.projection, *r) for r in ranges],
                )
        self._dirty.clear()
        self._dirty_missing.clear()
