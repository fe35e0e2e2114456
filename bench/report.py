"""Plain-text tables: figures with units and the ratios between them."""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

from bench.common import RUNS
from bench.gateway import (
    CONNECTIONS,
    GOAL_P99_MS,
    GOAL_RATE,
    GOAL_RAW_SHARE,
    RAW_CONNECTIONS,
    SECONDS,
    THREADS,
    GatewayFigures,
    Load,
)
from bench.relay import RelayFigures

if TYPE_CHECKING:
    from bench.commands import CommandFigures
    from bench.consumers import ConsumerRun

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
        ["raw aiokafka producer (idempotent, acks=all), same messages", rate(f.raw), ratio(f.relay, f.raw)],
        ["  the same with the relay's batching (linger 5 ms, 256 KiB)", rate(f.raw_batched),
         ratio(f.relay, f.raw_batched)],
        ["EventStore.read_all alone, 1000/batch (no Kafka)", rate(f.read_all), ratio(f.relay, f.read_all)],
    ]
    return [
        (f"Relay to Kafka: {f.events:,} events, value {f.value_bytes:.0f} B,"
         f" {f.headers:.0f} headers ({f.header_bytes:.0f} B), 6 partitions; goal relay/raw >= 0.5"),
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
         " each command's due time), payments store -> relay -> Kafka -> gateway cabinet projection;"
         " goal: to cabinet p99 < 200 ms"),
        *_table(header, rows),
        (f"raw single-row INSERT transactions, same run: {raw.get(1, 0):,.0f} tx/s with 1 writer,"
         f" {raw.get(8, 0):,.0f} tx/s with 8 (a command is one transaction too, plus its reads)"),
    ]


def _per_second(cpu: float | None, seconds: float) -> str:
    return "—" if cpu is None else f"{cpu / seconds:.2f}"


def _cost_us(run: ConsumerRun) -> dict[str, float]:
    """CPU microseconds per event applied, by where they were spent."""
    parts = {"consumers": sum(run.cpu_instances), "PostgreSQL": run.cpu_postgres or 0.0,
             "Kafka": run.cpu_kafka or 0.0, "bench": run.cpu_bench}
    return {k: v / run.events * 1e6 for k, v in parts.items()}


def _other(run: ConsumerRun) -> float:
    """CPU s/s the machine spent on work we did not measure (other agents, the system)."""
    measured = sum(run.cpu_instances) + (run.cpu_postgres or 0) + (run.cpu_kafka or 0) + run.cpu_bench
    return max(0.0, (run.machine_busy - measured) / run.seconds)


def consumers_table(runs: dict[int, ConsumerRun], cores: int, target: float = 1.6) -> list[str]:
    one = runs.get(1)
    header = ["instances", "events/s", "vs 1", "wall s", "events each", "CPU s/s each", "PostgreSQL CPU s/s",
              "Kafka CPU s/s", "bench CPU s/s", f"machine busy (of {cores})", "other work", "CPU µs/event"]
    rows = []
    for instances, r in sorted(runs.items()):
        rows.append([str(instances), rate(r.rate), ratio(r.rate, one.rate if one else None), f"{r.seconds:.1f}",
                     " + ".join(f"{share:.0%}" for share in r.shares),
                     " + ".join(f"{c / r.seconds:.2f}" for c in r.cpu_instances),
                     _per_second(r.cpu_postgres, r.seconds), _per_second(r.cpu_kafka, r.seconds),
                     _per_second(r.cpu_bench, r.seconds), f"{r.machine_busy / r.seconds:.2f}",
                     f"{_other(r):.2f}", f"{sum(_cost_us(r).values()):,.0f}"])
    events = next(iter(runs.values())).events if runs else 0
    lines = [
        (f"Consumers: the gateway's CabinetPayments applying {events:,} PaymentRegistered events ({events // 20:,}"
         " accounts) from a 6-partition topic, one consumer group, each instance its own process;"
         f" target: 2 instances x{target:.1f} of one"),
        *_table(header, rows),
    ]
    two = runs.get(2)
    if one is None or two is None or not one.rate:
        return lines
    gain = two.rate / one.rate
    cost = _cost_us(two)
    total = sum(cost.values())
    busy = two.machine_busy / two.seconds
    other = _other(two)
    ceiling = cores / total * 1e6 if total else float("nan")
    breakdown = ", ".join(f"{k} {v:,.0f}" for k, v in cost.items())
    single = sum(one.cpu_instances) / one.seconds
    alone = ("busy on its one core (a Python process has one)" if single >= 0.85 else
             "the rest of the time it waited (PostgreSQL round trips, commits, fetches, or a core: the machine"
             f" was busy {one.machine_busy / one.seconds:.2f} of {cores} then)")
    facts = (f"One instance alone used {single:.2f} CPU s/s, {alone}; with 2, every event cost {total:,.0f} µs"
             f" of CPU in all ({breakdown}), so {cores} cores apply at most ~{ceiling:,.0f} events/s"
             f" = x{ceiling / one.rate:.2f} of one instance even with nothing else running; the machine was busy"
             f" {busy:.2f} of {cores} cores, {other:.2f} of them other work (other agents, the system)"
             + (": CPU-bound." if busy >= 0.85 * cores else ": not CPU-bound, the instances wait.")
             + (f" The busier instance had {max(two.shares):.0%} of the events (the partitions' keys are uneven),"
                f" which alone bounds the gain at x{1 / max(two.shares):.2f}." if two.shares and max(two.shares) > 0.55
                else ""))
    if gain >= target:
        lines.append(f"x{gain:.2f} with 2 instances: the target x{target:.1f} is met. {facts}")
    else:
        lines.append(f"x{gain:.2f} with 2 instances, below the x{target:.1f} target. Why: {facts}")
    return lines


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1f}"


def gateway_table(f: GatewayFigures | str) -> list[str]:
    if isinstance(f, str):
        return [f"Gateway reads: skipped: {f}."]
    bare, raw = f.routes.get("bare"), f.routes.get("raw")
    header = ["route", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "route/bare", "route/raw asyncpg", "errors",
              "goals"]

    def figures(load: Load | None) -> list[str]:
        if load is None:
            return ["—", "—", "—", "—"]
        cpu = "—" if math.isnan(load.cpu_us) else f"{load.cpu_us:,.0f}"
        return [rate(load.rate), _ms(load.p50), _ms(load.p99), cpu]

    rows = [
        ["bare Litestar JSON on granian (no database)", *figures(bare), "1.00", "",
         str(bare.errors if bare else 0), ""],
        [f"raw asyncpg PK reads ({f.workers} process{'es' if f.workers != 1 else ''} x {RAW_CONNECTIONS}"
         " connections)", *figures(raw),
         "", "1.00", "", ""],
    ]
    for name, path in f.paths.items():
        load = f.routes.get(name)
        if load is None:
            continue
        missed = [what for what, ok in [
            (f"req/s < {GOAL_RATE:,.0f}", load.rate >= GOAL_RATE),
            (f"raw < {GOAL_RAW_SHARE:.0%}", bool(raw and raw.rate) and load.rate >= GOAL_RAW_SHARE * raw.rate),
            (f"p99 >= {GOAL_P99_MS:.0f} ms", load.p99 < GOAL_P99_MS),
        ] if not ok]
        rows.append([path, *figures(load), ratio(load.rate, bare.rate if bare else None),
                     ratio(load.rate, raw.rate if raw else None), str(load.errors),
                     "met" if not missed else "missed: " + ", ".join(missed)])
    lines = [
        (f"Gateway reads: median of {RUNS} run{'s' if RUNS != 1 else ''}, wrk -t{THREADS} -c{CONNECTIONS},"
         f" {SECONDS:.0f} s per row after a warm-up; the demo subscriber's token; goals per route:"
         f" >= {GOAL_RATE:,.0f} req/s,"
         f" >= {GOAL_RAW_SHARE:.0%} of the raw asyncpg rate, p99 < {GOAL_P99_MS:.0f} ms"),
        (f"gateway as the Procfile starts it: granian, {f.workers} worker{'s' if f.workers != 1 else ''}; pool:"
         f" {f.pool}; at most {f.connections_seen} connections open from the gateway during the load"
         " (pg_stat_activity); the bare app under the same granian command"),
        *_table(header, rows),
        (f"errors: non-2xx answers and socket errors, all runs; raw asyncpg: SELECT * by primary key of a"
         f" summary-shaped row (10,000 rows), one uvloop process per gateway worker, {RAW_CONNECTIONS} connections"
         f" each (the gateway's pool today), same duration; CPU µs/req: the serving processes' CPU time (granian's"
         f" and its workers') per answered request, on all cores; {f.wrk_note}"),
        *f.notes,
    ]
    before, after = f.routes.get("summary_before"), f.routes.get("summary")
    if before and after:
        lines.append(f"summary before -> after: {rate(before.rate)} -> {rate(after.rate)} req/s"
                     f" (x{ratio(after.rate, before.rate)}), p99 {_ms(before.p99)} -> {_ms(after.p99)} ms,"
                     f" CPU {before.cpu_us:,.0f} -> {after.cpu_us:,.0f} µs per request")
    return lines


NOTES = """\
Notes: events/s = events written / wall time; "1 x 100" = 1 writer, 100 events per transaction.
  ours: EventStore.append (expected-version check, RETURNING rows) in BEGIN/COMMIT, own stream each.
  raw INSERT: same columns into an identical table, BEGIN/COMMIT; batches by executemany.
  raw COPY: copy_records_to_table, one transaction per batch (binary jsonb codec, see bench/eventstore.py).
  eventsourcing: its Application + PostgreSQL recorder, writers in threads (it locks the table per save).
  Ratios above 1 mean ours is faster. Client and server share the machine's cores."""
