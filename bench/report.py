"""Plain-text tables: figures with units and the ratios between them."""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

from bench.relay import RelayFigures

if TYPE_CHECKING:
    from bench.commands import CommandFigures

Key = tuple[int, int, str]
COLUMNS = [("ours", "ours"), ("insert", "raw INSERT"), ("copy", "raw COPY"), ("es", "eventsourcing")]
RATIOS = [("insert", "ours/INSERT"), ("copy", "ours/COPY"), ("es", "ours/es")]


def rate(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.0f}"


def ratio(top: float | None, bottom: float | None) -> str:
    return "—" if not top or not bottom else f"{top / bottom:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def store_table(figures: dict[Key, float], workloads: list[tuple[int, int]]) -> list[str]:
    header = ["writers x events/txn", *(f"{name} ev/s" for _, name in COLUMNS), *(n for _, n in RATIOS)]
    rows = []
    for writers, batch in workloads:
        got = {kind: figures.get((writers, batch, kind)) for kind, _ in COLUMNS}
        rows.append([f"{writers} x {batch}", *(rate(got[k]) for k, _ in COLUMNS),
                     *(ratio(got["ours"], got[k]) for k, _ in RATIOS)])
    return _table(header, rows)


def relay_table(f: RelayFigures) -> list[str]:
    rows = [
        ["Relay.publish_once until 0 (read, send, checkpoint)", rate(f.relay), "1.00"],
        ["raw aiokafka producer, same messages, one gather", rate(f.raw), ratio(f.relay, f.raw)],
        ["EventStore.read_all alone, 1000/batch (no Kafka)", rate(f.read_all), ratio(f.relay, f.read_all)],
    ]
    return [
        (f"Relay to Kafka: {f.events:,} events, value {f.value_bytes:.0f} B,"
         f" {f.headers:.0f} headers ({f.header_bytes:.0f} B), 6 partitions"),
        *_table(["path", "events/s", "relay/this"], rows),
    ]


def _percentile(values: list[float], p: float) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.0f}"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[int(p) - 1]:.0f}"


def commands_table(figures: list[CommandFigures], raw: dict[int, float], rate: float, seconds: float) -> list[str]:
    header = ["command", "offered/s", "done/s", "ok", "refused", "answer p50 ms", "answer p99 ms",
              "to cabinet p50 ms", "to cabinet p99 ms"]
    rows = [[f.name, f"{f.offered:,.0f}", f"{f.done_per_second:,.0f}", str(len(f.command_ms)), str(f.refused),
             _percentile(f.command_ms, 50), _percentile(f.command_ms, 99),
             _percentile(f.cabinet_ms, 50), _percentile(f.cabinet_ms, 99)] for f in figures]
    return [
        (f"Commands at a fixed offered load: {rate:,.0f}/s for {seconds:.0f} s each (open loop, latency from"
         " each command's due time), payments store -> relay -> Kafka -> gateway cabinet projection"),
        *_table(header, rows),
        (f"raw single-row INSERT transactions, same run: {raw.get(1, 0):,.0f} tx/s with 1 writer,"
         f" {raw.get(8, 0):,.0f} tx/s with 8 (a command is one transaction too, plus its reads)"),
    ]


NOTES = """\
Notes: events/s = events written / wall time; "1 x 100" = 1 writer, 100 events per transaction.
  ours: EventStore.append (expected-version check, RETURNING rows) in BEGIN/COMMIT, own stream each.
  raw INSERT: same columns into an identical table, BEGIN/COMMIT; batches by executemany.
  raw COPY: copy_records_to_table, one transaction per batch (binary jsonb codec, see bench/eventstore.py).
  eventsourcing: its Application + PostgreSQL recorder, writers in threads (it locks the table per save).
  Ratios above 1 mean ours is faster. Client and server share the machine's cores."""
