"""Per-stream order of a projection (shared/ordering.py), without I/O: only an applied version moves
the mark, early versions wait, versions given up on are still applied when they arrive."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.ordering import Decision, StreamState


def deliver(state: StreamState, versions: list[int]) -> list[int]:
    """Feed versions as a consumer would (parked ones drained as soon as they follow); the order applied."""
    applied: list[int] = []
    for version in versions:
        decision = state.decide(version)
        if decision is Decision.PARK:
            state.park(version)
        elif decision is Decision.LATE:
            state.fill(version)
            applied.append(version)
        elif decision is Decision.NEXT:
            state.advance(version)
            applied.append(version)
            while (parked := state.next_parked()) is not None:
                state.advance(parked)
                applied.append(parked)
    return applied


def test_in_order_versions_are_applied_and_repeats_are_duplicates() -> None:
    state = StreamState()
    assert deliver(state, [1, 2, 3]) == [1, 2, 3]
    assert [state.decide(v) for v in (1, 2, 3)] == [Decision.DUPLICATE] * 3
    assert state.decide(4) is Decision.NEXT


def test_an_early_version_waits_and_is_applied_in_order_when_the_missing_one_arrives() -> None:
    state = StreamState()
    assert deliver(state, [1, 2, 4, 5]) == [1, 2]
    assert state.applied == 2 and state.parked == {4, 5}
    assert state.decide(4) is Decision.DUPLICATE  # parked already: a redelivery of it is skipped
    assert deliver(state, [3]) == [3, 4, 5]
    assert state.applied == 5 and not state.parked and not state.missing


def test_only_the_first_early_version_opens_a_gap() -> None:
    state = StreamState(applied=3)
    assert state.park(1003) is True
    assert state.park(1004) is False
    assert state.applied == 3  # nothing parked moves the mark


def test_giving_up_records_the_skipped_versions_and_a_late_one_is_still_applied() -> None:
    state = StreamState(applied=2, parked={4, 7})
    assert state.skip_to(4) == (3, 3)
    state.advance(4)
    assert state.skip_to(7) == (5, 6)
    state.advance(7)
    assert (state.applied, state.missing, state.missing_count) == (7, [(3, 3), (5, 6)], 3)
    assert state.decide(5) is Decision.LATE
    state.fill(5)
    assert state.missing == [(3, 3), (6, 6)]
    assert state.decide(5) is Decision.DUPLICATE
    assert deliver(state, [3, 6, 8]) == [3, 6, 8]
    assert state.missing == [] and state.applied == 8


def test_skipping_nothing_changes_nothing() -> None:
    state = StreamState(applied=2, parked={3})
    assert state.skip_to(3) is None
    assert state.applied == 2 and state.parked == {3}


def test_adjacent_missing_ranges_merge() -> None:
    state = StreamState(applied=2)
    state.skip_to(5)  # 3..4 missing, 5 next
    state.skip_to(7)  # 5 (refused, say) and 6 missing too
    assert state.missing == [(3, 6)]


@given(st.permutations(list(range(1, 9))))
def test_any_arrival_order_applies_every_version_once(order: list[int]) -> None:
    state = StreamState()
    applied = deliver(state, [*order, *order[:3]])  # some redelivered too
    assert applied == list(range(1, 9))  # each once, and in stream order
    assert state.applied == 8 and not state.parked and not state.missing


def give_up(state: StreamState) -> list[int]:
    """What the watch does once the wait is over: the parked versions, in order, without the holes."""
    applied = []
    for version in sorted(state.parked):
        if version > state.applied:
            state.skip_to(version)
            state.advance(version)
            applied.append(version)
    return applied


@given(st.lists(st.integers(min_value=1, max_value=12), max_size=30), st.integers(min_value=0, max_value=30))
def test_after_giving_up_every_version_ever_delivered_is_applied_exactly_once(
    versions: list[int], give_up_at: int
) -> None:
    state = StreamState()
    applied = deliver(state, versions[:give_up_at]) + give_up(state)
    applied += deliver(state, versions[give_up_at:]) + give_up(state)
    assert sorted(applied) == sorted(set(versions))
    assert not state.parked
    assert {v for first, last in state.missing for v in range(first, last + 1)} == (
        set(range(1, state.applied + 1)) - set(versions))
