"""Mobile extras of seed 003 (EXTRAS #24, #25, #28, #29) on a `mobile` line: the SIM card's PIN and
PUK codes (recorded by the office from the SIM inventory, shown only to the number's own subscriber
and the organization's admin; the codes stay in the accounts service's table, never in an event),
closed user group membership, call forwarding by condition, and the e-mail copy of voicemail
"Plus". Pure rules; the events are in events.py."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal, get_args

from services.accounts.domain.events import (
    CallForwardingChanged,
    ClosedUserGroupChanged,
    SimCodesRecorded,
    VoicemailCopyChanged,
)
from services.accounts.domain.rules import normalize_email, normalize_phone
from shared.errors import DomainError, ValidationFailed
from shared.events import DomainEvent

__all__ = ["CONDITIONS", "VOICEMAIL_PLUS", "Condition", "MobileLine", "check_sim_codes"]

#: «установить/отменить переадресацию по заданному условию или безусловную» (seed 003).
Condition = Literal["unconditional", "busy", "no_answer", "unreachable"]
CONDITIONS: tuple[str, ...] = get_args(Condition)
VOICEMAIL_PLUS = "voicemail-plus"
_PIN, _PUK = re.compile(r"^[0-9]{4,8}$"), re.compile(r"^[0-9]{8}$")


def check_sim_codes(pin1: str, puk1: str, pin2: str, puk2: str) -> None:
    """PINs have 4 to 8 digits, PUKs 8 (GSM 11.11)."""
    if not (_PIN.match(pin1) and _PIN.match(pin2) and _PUK.match(puk1) and _PUK.match(puk2)):
        raise ValidationFailed("sim.bad_codes", "PIN1/PIN2 have 4 to 8 digits, PUK1/PUK2 8 digits")


class MobileLine:
    """The decisions about one mobile line of an account (its kind and add-ons as the account holds them)."""

    def __init__(self, account_id: str, line_id: str, kind: str, add_ons: frozenset[str],
                 forwarding: dict[str, str]) -> None:
        if kind != "mobile":
            raise DomainError("mobile.not_a_mobile_line", f"line {line_id} is a {kind} line")
        self.account_id, self.line_id, self.add_ons, self.forwarding = account_id, line_id, add_ons, forwarding

    def record_sim_codes(self, pin1: str, puk1: str, pin2: str, puk2: str, now: datetime) -> list[DomainEvent]:
        check_sim_codes(pin1, puk1, pin2, puk2)
        return [SimCodesRecorded(account_id=self.account_id, line_id=self.line_id, at=now)]

    def set_closed_user_group(self, group: str | None) -> list[DomainEvent]:
        group = group.strip() if group else None
        if group is not None and not 1 <= len(group) <= 64:
            raise ValidationFailed("mobile.bad_group", "a closed user group's name has 1 to 64 characters")
        return [ClosedUserGroupChanged(account_id=self.account_id, line_id=self.line_id, group=group)]

    def set_forwarding(self, condition: str, target: str | None) -> list[DomainEvent]:
        if condition not in CONDITIONS:
            raise ValidationFailed("forwarding.bad_condition", f"the condition is one of {', '.join(CONDITIONS)}")
        number = normalize_phone(target) if target else None
        if self.forwarding.get(condition) == number:
            return []
        return [CallForwardingChanged(account_id=self.account_id, line_id=self.line_id, condition=condition,
                                      target=number)]

    def set_voicemail_copy(self, email: str | None) -> list[DomainEvent]:
        if VOICEMAIL_PLUS not in self.add_ons:
            raise DomainError("voicemail.plus_not_connected", "connect voicemail «Plus» first")
        return [VoicemailCopyChanged(account_id=self.account_id, line_id=self.line_id,
                                     email=normalize_email(email) if email else None)]
