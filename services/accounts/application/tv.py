"""Use cases of TV partner subscriptions (seed 002, TELEPHONY.md T-12): connect and activate a
partner's package on a `tv` line, end it, list them.

The rules decide first (the package is a partner's, the line's tariff offers it, out of a
financial block, once: domain/account.py); then, in the command's transaction, the partner is
asked (`TvPartners`), bounded by `tv_partner_timeout_s`: a refusal (422 `tv.partner_refused`) or no
answer in time (503 `tv.partner_unavailable`) rolls everything back. The subscription is an
`AddOnConnected` fact with its monthly fee (what invoicing charges) beside `TvSubscriptionActivated`."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from services.accounts.application.context import Accounts
from services.accounts.domain.account import PersonalAccount, stream_id_for
from shared.commands import CommandResult, execute, load_aggregate, scoped_key
from shared.db import Connection
from shared.errors import DomainError
from shared.eventstore import Metadata, RecordedEvent

__all__ = ["PartnerTimedOut", "change_tv_subscription", "tv_subscriptions"]


class PartnerTimedOut(DomainError):
    status = 503

    def __init__(self, partner: str) -> None:
        super().__init__("tv.partner_unavailable", f"the TV partner {partner} did not answer in time; nothing"
                                                   " changed, try again", partner=partner)


async def change_tv_subscription(ctx: Accounts, account_id: str, line_id: str, action: Literal["connect", "end"],
                                 service_id: str, metadata: Metadata, idempotency_key: str | None) -> CommandResult:
    package = ctx.catalogue.add_on(service_id)
    now, today = ctx.clock.now(), ctx.today()

    def decide(account: PersonalAccount) -> list[Any]:
        tariff = ctx.catalogue.tariff(account.line(line_id).tariff_id)
        if action == "connect":
            return account.activate_tv_subscription(line_id, tariff, package, now, today)
        return account.end_tv_subscription(line_id, tariff, package, now, today)

    async def ask_partner(_: Connection, account: PersonalAccount, recorded: list[RecordedEvent]) -> None:
        assert package.partner is not None and package.partner_package is not None  # decide checked it
        call = ctx.tv_partners.activate if action == "connect" else ctx.tv_partners.deactivate
        try:
            await asyncio.wait_for(call(package.partner, account.partner_account(line_id), package.partner_package),
                                   ctx.tv_partner_timeout_s)
        except TimeoutError:
            raise PartnerTimedOut(package.partner) from None

    return await execute(
        ctx.store, PersonalAccount, stream_id_for(account_id), decide,
        metadata=metadata, now=now,
        idempotency_key=scoped_key(idempotency_key, metadata.actor or "", f"tv-{action}", account_id),
        request={"line_id": line_id, "service_id": service_id, "action": action},
        respond=lambda account, _: {"account_id": account_id, "line_id": line_id, "service_id": service_id,
                                    "partner": package.partner, "partner_account": account.partner_account(line_id),
                                    "active": service_id in account.lines[line_id].add_ons},
        in_transaction=ask_partner,
    )


async def tv_subscriptions(ctx: Accounts, account_id: str, line_id: str) -> dict[str, Any]:
    """The partners' packages a TV line may take: price, partner, active or not."""
    async with ctx.store.pool.acquire() as conn:
        account = await load_aggregate(ctx.store, conn, PersonalAccount, stream_id_for(account_id))
    line = account.line(line_id)
    if line.kind != "tv":
        raise DomainError("tv.not_a_tv_line", f"line {line_id} is a {line.kind} line")
    return {"account_id": account_id, "line_id": line_id, "partner_account": account.partner_account(line_id),
            "packages": [{"service_id": a.service_id, "name": a.name, "partner": a.partner,
                          "monthly_fee": str(a.monthly_fee), "active": a.service_id in line.add_ons}
                         for a in ctx.catalogue.add_ons("tv") if a.partner is not None]}
