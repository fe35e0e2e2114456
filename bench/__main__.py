"""`python -m bench`: every benchmark in one run against one fresh database, then the tables."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import defaultdict
from time import perf_counter

from bench import commands, consumers, eslib, eventstore, gateway, invoicing, rebuild, relay, report
from bench.common import DURATION, MAX_EVENTS, RUNS, SCALE, WARMUP, Sample, median
from bench.setup import BenchEnv, environment

WORKLOADS = [(1, 1), (8, 1), (1, 100), (8, 100), (1, 1000)]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def kinds(batch: int) -> list[str]:
    return ["ours", "insert", "es"] if batch == 1 else ["ours", "insert", "copy", "es"]


async def store_figures(env: BenchEnv) -> dict[report.Key, float]:
    targets = await eventstore.open_targets(env.dsn)
    app = await eslib.open_app(env.dsn)

    async def cell(kind: str, writers: int, batch: int, duration: float) -> Sample:
        if kind == "es":
            return await asyncio.to_thread(eslib.measure, app, writers, batch, duration)
        return await eventstore.measure(kind, targets, writers, batch, duration)

    rates: dict[report.Key, list[float]] = defaultdict(list)
    try:
        progress("event store: warming up")
        for writers, batch in WORKLOADS:
            for kind in kinds(batch):
                await cell(kind, writers, batch, WARMUP)
        for run in range(RUNS):  # runs interleaved, so drift and table growth hit every column alike
            progress(f"event store: run {run + 1}/{RUNS}")
            for writers, batch in WORKLOADS:
                for kind in kinds(batch):
                    rates[(writers, batch, kind)].append((await cell(kind, writers, batch, DURATION)).rate)
    finally:
        await targets.close()
        app.close()
    return {key: median(values) for key, values in rates.items()}


async def rebuild_only() -> None:
    """`python -m bench rebuild`: the rebuild section alone (it reads a store: no broker started)."""
    began = perf_counter()
    async with environment(kafka=False) as env:
        figures = await rebuild.run(env.dsn, progress)
    print("\n".join([f"{env.server}, fresh database {env.database} (dropped); {os.cpu_count()} CPUs", "",
                     *rebuild.table(figures), f"Total time {perf_counter() - began:.0f} s."]))


async def main() -> None:
    began = perf_counter()
    async with environment() as env:
        progress(f"database {env.database}; Kafka: {env.kafka}")
        figures = await store_figures(env)
        progress("rebuild: a projection from its store, beside a raw read")
        rebuilt = await rebuild.run(env.dsn, progress)
        progress("relay")
        relayed = await relay.run(env.dsn, env.bootstrap)
        progress("commands at a fixed offered load")
        command_figures, raw_inserts = await commands.run(env.dsn, env.bootstrap)
        progress("consumers: 1 and 2 instances in one group")
        consumer_figures = await consumers.run(env)
        progress("gateway reads: summary, balance, history beside a bare route and raw asyncpg reads")
        try:
            gateway_figures = await gateway.run(env)
        except RuntimeError as error:  # the other sections' figures still print
            print(error, file=sys.stderr)
            gateway_figures = f"it failed: {str(error).splitlines()[0]}"
        accounts = int(os.environ.get("BENCH_INVOICING_ACCOUNTS", "5000"))
        progress(f"invoicing: posting and bill run of {accounts:,} accounts beside raw INSERT/COPY, a bill run"
                 f" posting the month itself of {invoicing.BILL_RUN_ACCOUNTS:,}; PDF and XLSX")
        invoicing_lines = await invoicing.run(env.admin_dsn, accounts)
    lines = [
        (f"Benchmarks: BENCH_SCALE={SCALE:g}, median of {RUNS} runs; each store figure {DURATION:.1f} s"
         f" or {MAX_EVENTS:,} events, whichever first; {os.cpu_count()} CPUs"),
        f"{env.server}, fresh database {env.database} (dropped); Kafka: {env.kafka}",
        "",
        "Event store appends, events/s (one transaction per append)",
        *report.store_table(figures, WORKLOADS),
        "",
        *report.relay_table(relayed),
        "",
        *rebuild.table(rebuilt),
        "",
        *report.commands_table(command_figures, raw_inserts, commands.RATE, commands.SECONDS),
        "",
        *report.consumers_table(consumer_figures, os.cpu_count() or 1),
        "",
        *report.gateway_table(gateway_figures),
        "",
        *invoicing_lines,
        "",
        report.NOTES,
        f"Total time {perf_counter() - began:.0f} s.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(rebuild_only() if sys.argv[1:] == ["rebuild"] else main())
