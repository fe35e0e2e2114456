"""`make chaos`: every fault in turn (each service, the broker, PostgreSQL), and the table."""

from __future__ import annotations

import sys

from tests.chaos.harness import drill, table


def main() -> int:
    rows = []
    with drill(rate=20.0) as started:
        print(f"stack up; faults: {', '.join(started.faults())}", flush=True)
        for fault in started.faults():
            rows.append(started.run(fault, before_s=5, down_s=5, after_s=5))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    return 0 if all(row.clean for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
