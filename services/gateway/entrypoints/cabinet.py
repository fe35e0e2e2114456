"""The cabinet's account pages: the account selector, the summary, voluntary blocks, tariff change.

Every route checks `caller.may_see(account_id)` first; a foreign account answers 404, exactly like
a missing one. Commands go to the accounts service with the client's `Idempotency-Key`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth import Caller
from services.gateway.cabinet_queries import account_blocks, account_summary, my_accounts
from services.gateway.forwarding import forward_command
from services.gateway.projections.cabinet_accounts import CabinetAccounts
from services.gateway.settings import GatewaySettings
from shared.clock import Clock
from shared.db import Pool
from shared.errors import NotFound
from shared.internal_api import InternalClient

__all__ = ["AccountPagesController", "AccountSelectorController", "visible"]

ACCOUNT_ID = Parameter(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", description="personal account id")
ITEM_ID = Parameter(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
IdempotencyKey = Annotated[str | None, Parameter(header="idempotency-key", default=None, max_length=200)]


def visible(caller: Caller, account_id: str) -> None:
    """A foreign account answers exactly like a missing one: no data, no hint it exists."""
    if not caller.may_see(account_id):
        raise NotFound("account.not_found", f"account {account_id} not found")


class NewBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: date = Field(description="today or later, in the operator's time zone")
    days: int = Field(ge=1, le=3660, description="14 to 180 on the seed tariffs")


class TariffChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tariff_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    mode: Literal["next_period", "now"] = "next_period"


class AccountSelectorController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]

    @get("/", summary="The caller's personal accounts (the account selector)")
    async def list_accounts(
        self, caller: Caller, pool: Pool,
        limit: Annotated[int, Parameter(ge=1, le=200, default=50)],
        offset: Annotated[int, Parameter(ge=0, le=1_000_000, default=0)],
    ) -> dict[str, Any]:
        return await my_accounts(pool, caller, limit, offset)


class AccountPagesController(Controller):
    path = "/api/v1/accounts/{account_id:str}"
    tags = ["accounts"]

    async def _command(self, caller: Caller, pool: Pool, accounts: InternalClient, settings: GatewaySettings,
                       path: str, body: Any, key: str | None) -> dict[str, Any]:
        return await forward_command(accounts, pool, caller, "POST", path, body=body, idempotency_key=key,
                                     projection=CabinetAccounts.name, timeout=settings.read_your_writes_timeout_s)

    @get("/summary", summary="Status, balance, lines and tariffs, add-ons, blocks")
    async def summary(self, account_id: Annotated[str, ACCOUNT_ID], caller: Caller, pool: Pool, clock: Clock,
                      timezone: ZoneInfo) -> dict[str, Any]:
        visible(caller, account_id)
        found = await account_summary(pool, account_id, clock.now().astimezone(timezone).date())
        if found is None:
            raise NotFound("account.not_found", f"account {account_id} not found")
        return found

    @get("/blocks", summary="Voluntary blocks: available this year, scheduled, history")
    async def blocks(self, account_id: Annotated[str, ACCOUNT_ID], caller: Caller, pool: Pool, clock: Clock,
                     timezone: ZoneInfo) -> dict[str, Any]:
        visible(caller, account_id)
        if not await pool.fetchval("SELECT true FROM cabinet_account_directory WHERE account_id = $1", account_id):
            raise NotFound("account.not_found", f"account {account_id} not found")
        return await account_blocks(pool, account_id, clock.now().astimezone(timezone).date())

    @post("/blocks", status_code=201, summary="Schedule a voluntary block")
    async def schedule_block(self, account_id: Annotated[str, ACCOUNT_ID], data: NewBlock, caller: Caller,
                             pool: Pool, accounts: InternalClient, gateway_settings: GatewaySettings,
                             idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command(caller, pool, accounts, gateway_settings,
                                   f"/internal/v1/accounts/{account_id}/blocks", data.model_dump(mode="json"),
                                   idempotency_key)

    @post("/blocks/{block_id:str}/cancel", status_code=200, summary="Cancel a block before it starts")
    async def cancel_block(self, account_id: Annotated[str, ACCOUNT_ID], block_id: Annotated[str, ITEM_ID],
                           caller: Caller, pool: Pool, accounts: InternalClient, gateway_settings: GatewaySettings,
                           idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command(caller, pool, accounts, gateway_settings,
                                   f"/internal/v1/accounts/{account_id}/blocks/{block_id}/cancel", None,
                                   idempotency_key)

    @post("/blocks/{block_id:str}/lift", status_code=200, summary="Lift a running block early")
    async def lift_block(self, account_id: Annotated[str, ACCOUNT_ID], block_id: Annotated[str, ITEM_ID],
                         caller: Caller, pool: Pool, accounts: InternalClient, gateway_settings: GatewaySettings,
                         idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command(caller, pool, accounts, gateway_settings,
                                   f"/internal/v1/accounts/{account_id}/blocks/{block_id}/lift", None,
                                   idempotency_key)

    @get("/lines/{line_id:str}/tariffs", summary="Tariffs this line could change to")
    async def tariff_options(self, account_id: Annotated[str, ACCOUNT_ID], line_id: Annotated[str, ITEM_ID],
                             caller: Caller, pool: Pool, accounts: InternalClient) -> dict[str, Any]:
        visible(caller, account_id)
        line = await pool.fetchrow("SELECT kind, tariff_id FROM cabinet_lines WHERE line_id = $1 AND account_id = $2",
                                   line_id, account_id)
        if line is None:
            raise NotFound("line.not_found", f"line {line_id} not found on account {account_id}")
        catalogue = await accounts.call("GET", "/internal/v1/tariffs", params={"kind": line["kind"]})
        current = next((t for t in catalogue["tariffs"] if t["tariff_id"] == line["tariff_id"]), None)
        changeable = bool(current and current["self_service_change"])
        return {"current": current, "self_service_change": changeable,
                "options": [t for t in catalogue["tariffs"] if changeable and t["self_service_change"]
                            and t["tariff_id"] != line["tariff_id"]]}

    @post("/lines/{line_id:str}/tariff", status_code=200, summary="Change a line's tariff (next period or now)")
    async def change_tariff(self, account_id: Annotated[str, ACCOUNT_ID], line_id: Annotated[str, ITEM_ID],
                            data: TariffChange, caller: Caller, pool: Pool, accounts: InternalClient,
                            gateway_settings: GatewaySettings, idempotency_key: IdempotencyKey) -> dict[str, Any]:
        visible(caller, account_id)
        return await self._command(caller, pool, accounts, gateway_settings,
                                   f"/internal/v1/accounts/{account_id}/lines/{line_id}/tariff", data.model_dump(),
                                   idempotency_key)
