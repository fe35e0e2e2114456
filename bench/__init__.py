"""Benchmarks: figures and ratios printed, never asserted. Run with `python -m bench`.

BENCH_SCALE (float, default 1.0) scales every duration and size; BENCH_RUNS (default 3) sets how
many times each figure is measured (the median is printed). DATABASE_URL and
KAFKA_BOOTSTRAP_SERVERS are used if set, else 127.0.0.1:5432 (or an embedded PostgreSQL) and an
Apache Kafka broker of our own (KRaft, one node, as `make run` and the tests start it; its start
time is printed).
"""
