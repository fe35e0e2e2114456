"""Small pure rules about cabinet input: phones, e-mails, passwords, masking, the rename window."""

from __future__ import annotations

import re
from datetime import date

from shared import phones
from shared.calendar import days_in_month
from shared.errors import DomainError, ValidationFailed

__all__ = [
    "check_invoice_address",
    "check_new_password",
    "check_rename_window",
    "check_service_password",
    "login_key",
    "mask_email",
    "mask_passport",
    "mask_phone",
    "normalize_email",
    "normalize_phone",
]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}$")
PASSWORD_MIN, PASSWORD_MAX = 8, 128
#: Renames are refused in the last days of a month (seed 003: the invoice is being prepared).
RENAME_FREEZE_DAYS = 2


def check_rename_window(today: date) -> None:
    if today.day > days_in_month(today) - RENAME_FREEZE_DAYS:
        raise DomainError("rename.month_end", "renames are not accepted in the last 2 days of a month")


def normalize_phone(value: str) -> str:
    """`+375 (29) 123-45-67`, `8 029 123-45-67` -> `375291234567` (shared/phones.py), or refused."""
    phone = phones.normalize_phone(value)
    if phone is None:
        raise ValidationFailed("phone.invalid", "not a valid phone number, e.g. +375 29 123-45-67")
    return phone


#: How a login is looked up (as a login and as a phone): the same key the gateway counts attempts by.
login_key = phones.login_key


def normalize_email(value: str) -> str:
    email = value.strip()
    if not _EMAIL.match(email):
        raise ValidationFailed("email.invalid", "that does not look like an e-mail address")
    return email


def check_new_password(password: str, login: str) -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValidationFailed("password.too_weak", f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    if password.isdigit() or password.isalpha():
        raise ValidationFailed("password.too_weak", "a password mixes letters and digits")
    if password.lower() == login.lower():
        raise ValidationFailed("password.too_weak", "the password must differ from the login")


#: A service password travels in PPPoE/RADIUS and to set-top boxes: printable ASCII, no spaces.
SERVICE_PASSWORD_MIN, SERVICE_PASSWORD_MAX = 8, 64
_SERVICE_PASSWORD = re.compile(r"^[!-~]+$")


def check_service_password(password: str, login: str) -> None:
    """The internet (PPPoE) and TV passwords: 8 to 64 printable ASCII characters without spaces,
    letters and digits both, not the login nor containing it, not one character repeated."""
    code = "service_password.too_weak"
    if not SERVICE_PASSWORD_MIN <= len(password) <= SERVICE_PASSWORD_MAX:
        raise ValidationFailed(code, f"a service password has {SERVICE_PASSWORD_MIN} to {SERVICE_PASSWORD_MAX}"
                                     " characters")
    if not _SERVICE_PASSWORD.match(password):
        raise ValidationFailed(code, "a service password uses Latin letters, digits and punctuation, no spaces")
    if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
        raise ValidationFailed(code, "a service password mixes letters and digits")
    if len(set(password)) < 4:
        raise ValidationFailed(code, "a service password has at least 4 different characters")
    if login and login.lower() in password.lower():
        raise ValidationFailed(code, "a service password must not contain the login")


#: Seed 004 (EXTRAS #42): several invoice e-mails are joined by ";" without spaces, 200 characters at most.
INVOICE_EMAILS_MAX = 200


def check_invoice_address(delivery: str | None, address: str | None) -> str | None:
    """Where invoices go: e-mail addresses joined by ";" (no spaces, 200 characters at most), a
    postal address for `post`, nothing needed for the cabinet."""
    address = address.strip() if address else None
    if delivery in ("email", "post") and not address:
        raise ValidationFailed("client.invoice_address_required", f"invoices by {delivery} need an address")
    if delivery == "email" and address is not None:
        if len(address) > INVOICE_EMAILS_MAX or " " in address:
            raise ValidationFailed("client.invoice_emails_invalid",
                                   f"e-mails joined by ';' without spaces, {INVOICE_EMAILS_MAX} characters at most")
        for email in address.split(";"):
            if not _EMAIL.match(email):
                raise ValidationFailed("client.invoice_emails_invalid", f"{email!r} is not an e-mail address")
    return address


def mask_email(email: str) -> str:
    """`ivan.petrov@example.com` -> `i***v@example.com`."""
    local, _, domain = email.partition("@")
    shown = local[0] + "***" + (local[-1] if len(local) > 1 else "")
    return f"{shown}@{domain}"


def mask_phone(phone: str) -> str:
    """`375291234567` -> `375*******67`."""
    return phone[:3] + "*" * max(0, len(phone) - 5) + phone[-2:]


def mask_passport(passport: str) -> str:
    compact = passport.replace(" ", "")
    return compact[:2] + "*" * max(0, len(compact) - 5) + compact[-3:]
