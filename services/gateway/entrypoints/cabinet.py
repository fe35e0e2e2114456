"""The cabinet's account pages: the account selector, the summary, voluntary blocks, tariff change,
a line's service password (internet login, TV account: EXTRAS #14, #15).

Routes under an account take `account`, the path's account once the caller may see it (a foreign
account answers 404, exactly like a missing one). Commands go to the accounts service with the
client's `Idempotency-Key`."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController, Commands, Page, RawAccountId
from services.gateway.projections.cabinet_accounts_queries import (
    account_blocks,
    account_summary,
    client_requisites,
    my_accounts,
)
from shared.calendar import local_date
from shared.clock import Clock
from shared.db import Pool
from shared.errors import NotFound, ValidationFailed
from shared.http import ID_PATTERN, Count, Day, IdempotencyKey, replayable_response
from shared.internal_api import InternalClient, Reply
from shared.openapi import BEARER, answers

__all__ = [
    "AccountPagesController", "AccountSelectorController", "ServicePassword", "TariffChange", "change_service_password",
    "tariff_options",
]

ItemId = Annotated[str, Parameter(pattern=ID_PATTERN)]


class NewBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: Day = Field(description="today or later: a day in the operator's time zone (BILLING_TIMEZONE), as"
                                       " the summary's `business_date` and `time_zone` show")
    days: Count = Field(ge=1, le=3660, description="14 to 180 on the seed tariffs")


class TariffChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tariff_id: str = Field(pattern=ID_PATTERN)
    mode: Literal["next_period", "now"] = "next_period"


class ServicePassword(BaseModel):
    """Entered twice (seed 004). The accounts service judges its strength (422
    `service_password.too_weak`) and hands it to the network; it is in no event or log."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=256)
    password_confirmation: str = Field(min_length=1, max_length=256)


class AccountSelectorController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]
    security = [{BEARER: []}]

    @get("/", summary="The caller's personal accounts (the account selector)",
         responses=answers(200, a.AccountSelector))
    async def list_accounts(
        self, caller: Caller, pool: Pool,
        limit: Annotated[int, Parameter(ge=1, le=200, default=50)],
        offset: Annotated[int, Parameter(ge=0, le=1_000_000, default=0)],
    ) -> dict[str, Any]:
        return await my_accounts(pool, caller.visible_accounts, limit, offset, organization_id=caller.sees_organization)


class AccountPagesController(AccountController):
    tags = ["accounts"]

    @get("/summary", summary="Status, balance, lines and tariffs, add-ons, blocks; the business date and time zone",
         responses=answers(200, a.AccountPage))
    async def summary(self, request: Request[Any, Any, Any], account_id: RawAccountId) -> dict[str, Any]:
        """One read answers it all: the session check, who may see the account, the page."""
        page = Page.of(request)
        caller = page.caller(request)
        read = await account_summary(page.reads, account_id, page.today(), page.timezone.key, caller.session_id)
        return page.admit(request, caller, account_id, read)

    @get("/requisites", summary="The client's requisites: name, tax id, bank accounts, contract, invoices, funds",
         responses=answers(200, a.Requisites))
    async def requisites(self, account: str, reads: Pool) -> dict[str, Any]:
        found = await client_requisites(reads, account)
        if found is None:
            raise NotFound("account.not_found", f"account {account} not found")
        return found

    @get("/blocks", summary="Voluntary blocks: available per calendar year, scheduled, history; the business date",
         responses=answers(200, a.BlocksPage))
    async def blocks(self, account: str, reads: Pool, clock: Clock, timezone: ZoneInfo) -> dict[str, Any]:
        found = await account_blocks(reads, account, local_date(clock.now(), timezone), timezone.key)
        if found is None:
            raise NotFound("account.not_found", f"account {account} not found")
        return found

    @post("/blocks", status_code=201, summary="Schedule a voluntary block", responses=answers(201, a.BlockChanged))
    async def schedule_block(self, account: str, data: NewBlock, accounts_commands: Commands,
                             idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("POST", f"/internal/v1/accounts/{account}/blocks",
                                            data.model_dump(mode="json"), idempotency_key)

    @post("/blocks/{block_id:str}/cancel", status_code=200, summary="Cancel a block before it starts",
          responses=answers(200, a.BlockChanged))
    async def cancel_block(self, account: str, block_id: ItemId, accounts_commands: Commands,
                           idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("POST", f"/internal/v1/accounts/{account}/blocks/{block_id}/cancel",
                                            key=idempotency_key)

    @post("/blocks/{block_id:str}/lift", status_code=200, summary="Lift a running block early",
          responses=answers(200, a.BlockChanged))
    async def lift_block(self, account: str, block_id: ItemId, accounts_commands: Commands,
                         idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("POST", f"/internal/v1/accounts/{account}/blocks/{block_id}/lift",
                                            key=idempotency_key)

    @get("/lines/{line_id:str}/tariffs", summary="Tariffs this line could change to",
         responses=answers(200, a.TariffOptions))
    async def tariff_options(self, account: str, line_id: ItemId, pool: Pool,
                             accounts: InternalClient) -> dict[str, Any]:
        return await tariff_options(account, line_id, pool, accounts)

    @post("/lines/{line_id:str}/tariff", status_code=200, summary="Change a line's tariff (next period or now)",
          responses=answers(200, a.TariffChanged))
    async def change_tariff(self, account: str, line_id: ItemId, data: TariffChange, accounts_commands: Commands,
                            idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("POST", f"/internal/v1/accounts/{account}/lines/{line_id}/tariff",
                                            data.model_dump(), idempotency_key)

    @post("/lines/{line_id:str}/password", status_code=200,
          summary="Change the line's service password (internet login, TV account)",
          responses=answers(200, a.ServicePasswordChanged))
    async def service_password(self, account: str, line_id: ItemId, data: ServicePassword, accounts_commands: Commands,
                               idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        reply = await change_service_password(account, line_id, data, accounts_commands, idempotency_key)
        return replayable_response(reply.body, accounts_commands.status, replayed=reply.replayed)


async def tariff_options(account: str, line_id: str, pool: Pool, accounts: InternalClient) -> dict[str, Any]:
    """The line's tariff and those it may change to in the cabinet: none unless its own tariff allows a
    self-service change (else 404 `line.not_found` for a line not on the account)."""
    line = await pool.fetchrow("SELECT kind, tariff_id FROM cabinet_lines WHERE line_id = $1 AND account_id = $2",
                               line_id, account)
    if line is None:
        raise NotFound("line.not_found", f"line {line_id} not found on account {account}")
    catalogue = await accounts.call("GET", "/internal/v1/tariffs", params={"kind": line["kind"]})
    current = next((t for t in catalogue["tariffs"] if t["tariff_id"] == line["tariff_id"]), None)
    changeable = bool(current and current["self_service_change"])
    return {"current": current, "self_service_change": changeable,
            "options": [t for t in catalogue["tariffs"] if changeable and t["self_service_change"]
                        and t["tariff_id"] != line["tariff_id"]]}


async def change_service_password(account: str, line_id: str, data: ServicePassword, accounts_commands: Commands,
                                  key: str | None) -> Reply:
    """The password entered twice must match (422 `service_password.mismatch`); the accounts service
    judges the rest. Only the password goes on, never echoed back."""
    if data.password != data.password_confirmation:
        raise ValidationFailed("service_password.mismatch", "the password and its confirmation differ")
    return await accounts_commands.reply("POST", f"/internal/v1/accounts/{account}/lines/{line_id}/password",
                                         {"password": data.password}, key)
