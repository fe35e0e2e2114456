"""A raw CDR from the switch, checked field by field. Pure: a malformed one raises `MalformedCdr`
with a stable code and the reason, and goes to the dead letters; the rest of its batch goes on.

The one format every way in shares (Kafka `telephony.cdr.raw`, the HTTP batch, the CSV file):
`origin` (the switch that wrote it), `call_id` (its id on that switch: with the origin, the CDR's
identity), `kind` (`call` or `sms`), `caller`, `callee` (digits, international form `375…`, or a
short number), `started_at` (ISO 8601 with its offset), `duration_s` (whole seconds, 0 for an
unanswered call or an SMS)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, NamedTuple

__all__ = ["CSV_COLUMNS", "Cdr", "MalformedCdr", "parse_cdr"]

CSV_COLUMNS = ("origin", "call_id", "kind", "caller", "callee", "started_at", "duration_s")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}", re.ASCII)
MAX_DURATION_S = 24 * 3600
_ID_RULE = "must be 1-100 letters, digits, '_', '.', ':' or '-'"
_DURATION_RULE = f"duration_s must be whole seconds, 0 to {MAX_DURATION_S}"


class MalformedCdr(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Cdr(NamedTuple):
    """Immutable; its fields start with the call order (`started_at`, `origin`, `call_id`: unique per
    CDR), so a list of CDRs sorts into call order by plain tuple comparison, with no key function."""

    started_at: datetime
    origin: str
    call_id: str
    kind: Literal["call", "sms"]
    caller: str
    callee: str
    duration_s: int


def _text(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if type(value) is not str or not value:
        raise MalformedCdr("cdr.field_missing", f"{name} is missing or not a string")
    return value


def _is_id(value: str) -> bool:
    """`_ID`: plain letters and digits are checked by str methods (a tenth of a regex match's time)."""
    if len(value) <= 100 and value.isascii() and value.isalnum():
        return True
    return _ID.fullmatch(value) is not None


def _is_number(value: str) -> bool:
    """2-15 ASCII digits."""
    return 2 <= len(value) <= 15 and value.isascii() and value.isdigit()


def parse_cdr(raw: object) -> Cdr:
    """At switch scale (20,000 a second and more) this runs once per CDR. The common CDR (a plain
    dict, string fields, ids of letters and digits, numbers of digits, whole seconds as an int) is
    taken by one chain of plain checks; anything else goes through `_parse_checked`, field by field,
    which says what is wrong (and takes the rest: '+' before a number, seconds as a string, ids with
    '_', '.', ':' or '-')."""
    if type(raw) is dict:
        get = raw.get
        origin, call_id, caller, callee, started = (get("origin"), get("call_id"), get("caller"), get("callee"),
                                                    get("started_at"))
        kind, duration = get("kind", "call"), get("duration_s", 0)
        if (type(origin) is str and type(call_id) is str and type(caller) is str and type(callee) is str
                and type(started) is str and type(duration) is int and 0 <= duration <= MAX_DURATION_S
                and (kind == "call" or kind == "sms")
                and len(origin) <= 100 and origin.isascii() and origin.isalnum()
                and len(call_id) <= 100 and call_id.isascii() and call_id.isalnum()
                and 2 <= len(caller) <= 15 and caller.isascii() and caller.isdigit()
                and 2 <= len(callee) <= 15 and callee.isascii() and callee.isdigit()):
            try:
                started_at = datetime.fromisoformat(started)
            except ValueError:
                pass
            else:
                if started_at.tzinfo is not None:
                    return tuple.__new__(Cdr, (started_at, origin, call_id, kind, caller, callee, duration))
    return _parse_checked(raw)


def _parse_checked(raw: object) -> Cdr:
    if not isinstance(raw, dict):
        raise MalformedCdr("cdr.not_an_object", "a CDR is a JSON object")
    origin, call_id = _text(raw, "origin"), _text(raw, "call_id")
    if not _is_id(origin):
        raise MalformedCdr("cdr.id_invalid", f"origin {_ID_RULE}")
    if not _is_id(call_id):
        raise MalformedCdr("cdr.id_invalid", f"call_id {_ID_RULE}")
    kind = raw.get("kind", "call")
    if kind != "call" and kind != "sms":
        raise MalformedCdr("cdr.kind_invalid", "kind must be call or sms")
    caller, callee = _text(raw, "caller"), _text(raw, "callee")
    if caller[0] == "+":
        caller = caller[1:]
    if callee[0] == "+":
        callee = callee[1:]
    if not _is_number(caller):
        raise MalformedCdr("cdr.number_invalid", "caller must be 2-15 digits")
    if not _is_number(callee):
        raise MalformedCdr("cdr.number_invalid", "callee must be 2-15 digits")
    try:
        started_at = datetime.fromisoformat(_text(raw, "started_at"))
    except ValueError:
        raise MalformedCdr("cdr.time_invalid", "started_at must be ISO 8601") from None
    if started_at.tzinfo is None:
        raise MalformedCdr("cdr.time_invalid", "started_at must carry its UTC offset")
    duration = raw.get("duration_s", 0)
    if type(duration) is not int:
        if isinstance(duration, str) and duration.isascii() and duration.isdigit():
            duration = int(duration)
        if isinstance(duration, bool) or not isinstance(duration, int):
            raise MalformedCdr("cdr.duration_invalid", _DURATION_RULE)
    if not 0 <= duration <= MAX_DURATION_S:
        raise MalformedCdr("cdr.duration_invalid", _DURATION_RULE)
    return Cdr(started_at, origin, call_id, kind, caller, callee, duration)
