"""How invoices are delivered (seed 004 2.3.3, ../shared/INVOICING.md I-4, I-5): by e-mail in PDF
or XLSX, or «Получает сам» (downloaded in the cabinet). Several addresses are separated by `;`
without spaces, at most 200 characters in all. A preliminary invoice of the current month covers
the whole account or a list of the client's own numbers (`375xxxxxxx;375xxxxxxx`); a number that is
not the account's is refused. Pure: what the account has comes in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

from shared.errors import ValidationFailed

__all__ = ["ADDRESSES_MAX", "DeliveryMethod", "parse_addresses", "parse_numbers", "preliminary_lines"]

DeliveryMethod = Literal["email", "self"]
ADDRESSES_MAX = 200
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+", re.ASCII)
_NUMBER = re.compile(r"[0-9]{5,15}", re.ASCII)


def parse_addresses(text: str) -> list[str]:
    """`a@x.by;b@y.by` to its addresses: `delivery.addresses_too_long` over 200 characters,
    `delivery.address_invalid` for an empty part, a space or anything not an address."""
    if len(text) > ADDRESSES_MAX:
        raise ValidationFailed("delivery.addresses_too_long",
                               f"the addresses take {len(text)} characters; at most {ADDRESSES_MAX} in all",
                               max_length=ADDRESSES_MAX)
    addresses = text.split(";")
    bad = [a for a in addresses if not _ADDRESS.fullmatch(a)]
    if not text or bad:
        raise ValidationFailed("delivery.address_invalid",
                               "addresses are e-mail addresses separated by ';' without spaces",
                               invalid=[a[:64] for a in bad])
    return list(dict.fromkeys(a.lower() for a in addresses))


def parse_numbers(text: str) -> list[str]:
    """`375170003003;375170003004` to its numbers (`request.numbers_invalid` when malformed)."""
    numbers = text.split(";")
    if len(text) > 2000 or not all(_NUMBER.fullmatch(n) for n in numbers):
        raise ValidationFailed("invoice.numbers_invalid", "numbers are digits separated by ';' without spaces")
    return list(dict.fromkeys(numbers))


def preliminary_lines(numbers: Iterable[str] | None, lines_by_identifier: Mapping[str, str]) -> list[str] | None:
    """The lines a preliminary invoice covers: all (None) or those of `numbers`, each the account's
    own (else `invoice.foreign_numbers`, naming them)."""
    if numbers is None:
        return None
    wanted = list(numbers)
    foreign = [n for n in wanted if n not in lines_by_identifier]
    if foreign:
        raise ValidationFailed("invoice.foreign_numbers", "these numbers are not the account's", numbers=foreign)
    return [lines_by_identifier[n] for n in wanted]
