"""`copy_text`: rows in COPY's text format, or None when a value would need escaping or is not text
(the caller then writes the rows by an INSERT). Pure: no database."""

from __future__ import annotations

from shared.db import copy_text


def test_rows_of_text_and_nulls() -> None:
    assert copy_text([("a", "b", None), ("c", None, "d")], 3) == b"a\tb\t\\N\nc\t\\N\td\n"
    assert copy_text([("ä", "2026-05-01T09:00:00+00:00")], 2) == "ä\t2026-05-01T09:00:00+00:00\n".encode()


def test_values_the_format_would_escape_are_refused() -> None:
    for value in ("a\\N", "back\\slash", "tab\there", "line\nbreak", "carriage\rreturn"):
        assert copy_text([("ok", value)], 2) is None, value


def test_values_that_are_not_text_and_rows_of_another_width_are_refused() -> None:
    assert copy_text([("a", 1)], 2) is None  # type: ignore[list-item]
    assert copy_text([("a", True)], 2) is None  # type: ignore[list-item]
    assert copy_text([("a", "b"), ("c",)], 2) is None
    assert copy_text([("a", "b", "c")], 2) is None
    assert copy_text([], 2) is None
