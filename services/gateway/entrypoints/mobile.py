"""A mobile number's extras in the cabinet (seed 003, EXTRAS #24, #25, #28, #29): the SIM card's PIN
and PUK codes and closed user group membership (the number's own subscriber and the organization's
admin only: 403 `sim.owner_only` for support staff; answered with `cache-control: no-store`), and
call forwarding by condition and voicemail "Plus"'s e-mail copy, set through the network."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Response, get, put
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController, Commands, only
from shared.http import ID_PATTERN, IdempotencyKey
from shared.internal_api import InternalClient
from shared.openapi import answers

__all__ = ["SIM_OWNERS", "Condition", "Forwarding", "MobileExtrasController", "VoicemailCopy"]

LineId = Annotated[str, Parameter(pattern=ID_PATTERN)]
Condition = Literal["unconditional", "busy", "no_answer", "unreachable"]
_LINE = "/internal/v1/accounts/{account}/lines/{line_id}"
#: Who may see the SIM's codes: the number's own subscriber and the organization's admin.
SIM_OWNERS = only(("subscriber", "org_admin"), "sim.owner_only", "the SIM codes are shown to the number's own"
                                                                 " subscriber and the organization's admin")


class Forwarding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str | None = Field(max_length=32, description="the number to forward to, e.g. +375 29 123-45-67; null"
                                                          " cancels")


class VoicemailCopy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(max_length=320, description="where voicemail is copied; null cancels")


class MobileExtrasController(AccountController):
    tags = ["mobile"]

    @get("/lines/{line_id:str}/sim", summary="The SIM card's PIN/PUK codes and closed user group",
         responses=answers(200, a.SimPage),
         opt=SIM_OWNERS)
    async def sim(self, account: str, line_id: LineId, accounts: InternalClient) -> Response[dict[str, Any]]:
        page = await accounts.call("GET", _LINE.format(account=account, line_id=line_id) + "/sim")
        return Response(page, headers={"cache-control": "no-store"})

    @get("/lines/{line_id:str}/mobile-settings", summary="Closed user group, call forwarding, voicemail copy",
         responses=answers(200, a.MobileSettings))
    async def settings(self, account: str, line_id: LineId, accounts: InternalClient) -> dict[str, Any]:
        return await accounts.call("GET", _LINE.format(account=account, line_id=line_id) + "/mobile")

    @put("/lines/{line_id:str}/call-forwarding/{condition:str}", status_code=200,
         summary="Set or cancel call forwarding (unconditional, busy, no answer, unreachable)",
         responses=answers(200, a.MobileSettingsChanged))
    async def forwarding(self, account: str, line_id: LineId, condition: Condition, data: Forwarding,
                         accounts_commands: Commands, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send(
            "PUT", _LINE.format(account=account, line_id=line_id) + f"/call-forwarding/{condition}",
            data.model_dump(), idempotency_key)

    @put("/lines/{line_id:str}/voicemail-copy", status_code=200,
         summary="Set or cancel the e-mail copy of voicemail Plus", responses=answers(200, a.MobileSettingsChanged))
    async def voicemail_copy(self, account: str, line_id: LineId, data: VoicemailCopy, accounts_commands: Commands,
                             idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await accounts_commands.send("PUT", _LINE.format(account=account, line_id=line_id) + "/voicemail-copy",
                                            data.model_dump(), idempotency_key)
