"""Ops tooling: `python -m shared.ops` (or `billing`, or `make replay ARGS=...`)."""
