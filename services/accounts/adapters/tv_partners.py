"""The TV partners' side (application/ports.py `TvPartners`).

`SandboxTvPartners` behaves like a partner's API on the dev stack and in tests: per partner it
accepts (activating idempotently, as a partner does on the operator's external id), refuses (the
partner's own "account blocked" answer: 422 `tv.partner_refused`), or never answers (the call
hangs until the caller's timeout). `TV_PARTNERS_SANDBOX` sets the behaviour per partner, e.g.
`smotreshka=accept,24tv=timeout`. Production has no partner API wired yet: `NoTvPartners`
refuses with 503 rather than pretending."""

from __future__ import annotations

import asyncio

from services.accounts.application.ports import TvPartners
from shared.errors import DomainError
from shared.logging import get_logger

__all__ = ["NoTvPartners", "PartnerRefused", "PartnerUnavailable", "SandboxTvPartners", "tv_partners_for"]

log = get_logger(__name__)
MODES = ("accept", "refuse", "timeout")


class PartnerRefused(DomainError):
    def __init__(self, partner: str) -> None:
        super().__init__("tv.partner_refused", f"the TV partner {partner} refused the subscription", partner=partner)


class PartnerUnavailable(DomainError):
    status = 503

    def __init__(self, partner: str, why: str) -> None:
        super().__init__("tv.partner_unavailable", f"the TV partner {partner} {why}; nothing changed, try again",
                         partner=partner)


class SandboxTvPartners(TvPartners):
    def __init__(self, modes: dict[str, str] | None = None) -> None:
        self.modes = dict(modes or {})
        self.active: set[tuple[str, str, str]] = set()

    @classmethod
    def from_setting(cls, value: str) -> SandboxTvPartners:
        modes = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            partner, _, mode = item.partition("=")
            if mode not in MODES:
                raise ValueError(f"TV_PARTNERS_SANDBOX: {item!r}: the mode is one of {', '.join(MODES)}")
            modes[partner.strip()] = mode
        return cls(modes)

    async def _answer(self, partner: str) -> None:
        mode = self.modes.get(partner, "accept")
        if mode == "timeout":
            await asyncio.Event().wait()  # no answer ever: the caller's timeout decides
        if mode == "refuse":
            raise PartnerRefused(partner)

    async def activate(self, partner: str, partner_account: str, package: str) -> None:
        await self._answer(partner)
        self.active.add((partner, partner_account, package))
        log.info("tv.sandbox_activated", partner=partner, partner_account=partner_account, package=package)

    async def deactivate(self, partner: str, partner_account: str, package: str) -> None:
        await self._answer(partner)
        self.active.discard((partner, partner_account, package))
        log.info("tv.sandbox_deactivated", partner=partner, partner_account=partner_account, package=package)


class NoTvPartners(TvPartners):
    async def activate(self, partner: str, partner_account: str, package: str) -> None:
        raise PartnerUnavailable(partner, "is not connected yet (no partner API configured)")

    async def deactivate(self, partner: str, partner_account: str, package: str) -> None:
        raise PartnerUnavailable(partner, "is not connected yet (no partner API configured)")


def tv_partners_for(environment: str, sandbox: str) -> TvPartners:
    return NoTvPartners() if environment == "prod" else SandboxTvPartners.from_setting(sandbox)
