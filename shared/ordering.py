"""Per-stream order of one projection, as pure logic (no I/O): what to do with a version that arrives.

A stream's state is three things:

- `applied`, the contiguous prefix: every version up to it was applied, or was given up on;
- `missing`, the versions inside the prefix that were given up on (inclusive ranges): if one of them
  ever arrives it is applied (late, out of order), never dropped as a duplicate;
- `parked`, the versions above `applied + 1` that arrived early: they wait for the versions before
  them and are applied, in order, as soon as those arrive (or when the wait is given up).

Only an event that was applied moves `applied`; a duplicate is a version inside the prefix that is
not missing, or a version already parked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Decision", "StreamState"]


class Decision(enum.Enum):
    DUPLICATE = "duplicate"  # applied already, or parked already: skip it
    NEXT = "next"  # applied + 1: apply it, then the parked versions that now follow
    LATE = "late"  # a version given up on has arrived after all: apply it, out of order
    PARK = "park"  # ahead of a version not yet seen: keep it until that one arrives or the wait ends


@dataclass
class StreamState:
    applied: int = 0
    missing: list[tuple[int, int]] = field(default_factory=list)
    parked: set[int] = field(default_factory=set)

    def decide(self, version: int) -> Decision:
        if version <= self.applied:
            return Decision.LATE if self.is_missing(version) else Decision.DUPLICATE
        if version == self.applied + 1:
            return Decision.NEXT
        return Decision.DUPLICATE if version in self.parked else Decision.PARK

    def is_missing(self, version: int) -> bool:
        return any(first <= version <= last for first, last in self.missing)

    @property
    def missing_count(self) -> int:
        return sum(last - first + 1 for first, last in self.missing)

    def advance(self, version: int) -> None:
        """`version` (applied + 1) was applied."""
        if version != self.applied + 1:
            raise ValueError(f"version {version} does not follow {self.applied}")
        self.applied = version
        self.parked.discard(version)

    def fill(self, version: int) -> None:
        """A missing `version` was applied late."""
        kept: list[tuple[int, int]] = []
        for first, last in self.missing:
            if first <= version <= last:
                kept.extend(r for r in ((first, version - 1), (version + 1, last)) if r[0] <= r[1])
            else:
                kept.append((first, last))
        self.missing = kept

    def park(self, version: int) -> bool:
        """Keep `version` for later; True if it opens a gap (nothing of this stream was waiting)."""
        opens = not self.parked
        self.parked.add(version)
        return opens

    def next_parked(self) -> int | None:
        """The parked version that can be applied now, if any."""
        version = self.applied + 1
        return version if version in self.parked else None

    def skip_to(self, version: int) -> tuple[int, int] | None:
        """Give up waiting for the versions before `version`: they become missing and `version` is
        next. The range given up on, if there was one."""
        self.parked = {v for v in self.parked if v >= version}
        if version <= self.applied + 1:
            return None
        skipped = (self.applied + 1, version - 1)
        self.missing = _merged([*self.missing, skipped])
        self.applied = version - 1
        return skipped


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged
