"""Phone numbers, one way everywhere: Google's numbering rules (`phonenumbers`), the operator's
regions first, stored and compared as E.164 digits without the plus (`375291234567`).

A subscriber types a number as their country writes it: `8 029 123-45-67` (Belarus, trunk 8 0),
`8 911 000-10-15` (Russia, trunk 8), `+375 (29) ...`, `79110001015`. Each is read in the first
region of `REGIONS` where it is a valid number (international forms are read as such).
"""

from __future__ import annotations

import re

import phonenumbers

__all__ = ["REGIONS", "login_key", "normalize_phone"]

#: Where the operator's subscribers are: a national number is read in the first region it fits.
REGIONS = ("BY", "RU")
_SEPARATORS = re.compile(r"[\s()+\-.]")


def normalize_phone(value: str, regions: tuple[str, ...] = REGIONS) -> str | None:
    """E.164 digits without the plus, or None if `value` is no valid phone number in `regions`."""
    text = value.strip()
    if not text or len(text) > 40:
        return None
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    return None


def login_key(login_or_phone: str) -> tuple[str, str]:
    """How a login is looked up, and counted in rate limits: (as a login: trimmed, lower case; as a
    phone: its E.164 digits, or, when it is no phone number, the login without separators)."""
    given = login_or_phone.strip().lower()
    return given, normalize_phone(given) or _SEPARATORS.sub("", given)
