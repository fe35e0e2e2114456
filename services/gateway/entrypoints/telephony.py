"""The cabinet's telephony pages (SIP and mobile lines, issue 12): subscriber cards with the free
minutes left, add-ons per subscriber, the multichannel package (review, then change), SIP settings
and password, mobile internet, pause, call detail.

Every route takes `account`, the path's account once the caller may see it (a foreign account
answers 404 before anything reaches the telephony service); the telephony service checks the line
belongs to that account (404 `line.not_found`). Its pages are read from its internal API as they
are, and its commands are answered once they are visible there (it writes its pages in the
command's transaction). Add-ons are connected by the accounts service; minute bundles are refused in
self-service (`add_on.by_application_only`, 422: «только по заявлению»). Call detail is ordered by
e-mail to the caller's profile e-mail (`detail.email_missing` without one) and mailed by the
notifications service as an attachment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth.caller import Caller
from services.gateway.entrypoints import telephony_answers as t
from services.gateway.entrypoints.common import AccountController
from services.gateway.projections.cabinet_accounts_queries import user_profile
from shared.db import Pool
from shared.errors import DomainError
from shared.http import ID_PATTERN, Day, IdempotencyKey, replayable_response
from shared.internal_api import InternalClient, Reply
from shared.openapi import answers

__all__ = [
    "CabinetTelephonyController", "DetailOrderRequest", "InternetRequest", "PauseRequest", "order_call_detail",
]

LineId = Annotated[str, Parameter(pattern=ID_PATTERN, description="subscriber line id")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChannelsRequest(_Body):
    channels: int = Field(ge=1, le=1000, description="5, 20, 30, 145 or 150")




class SipPasswordRequest(_Body):
    password: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[\x21-\x7e]+$",
                                 description="left out: one is generated and shown once")


class InternetRequest(_Body):
    enabled: bool
    package: str | None = Field(default=None, max_length=64)


class PauseRequest(_Body):
    paused: bool


class DetailOrderRequest(_Body):
    numbers: str = Field(min_length=12, max_length=2000, pattern=r"^[0-9; ]+$",
                         description="375xxxxxxxxx;375xxxxxxxxx: numbers of your company")
    date_from: Day
    date_to: Day
    direction: Literal["out", "in", "both"] = "both"


def _line(account: str, line_id: str, rest: str = "") -> str:
    return f"/internal/v1/accounts/{account}/lines/{line_id}{rest}"


async def _command(telephony_api: InternalClient, caller: Caller, path: str, body: Any,
                   key: str | None) -> Response[dict[str, Any]]:
    reply = await telephony_api.send("POST", path, json=body, actor=caller.actor, idempotency_key=key)
    return replayable_response(reply.body, 200, replayed=reply.replayed)


class CabinetTelephonyController(AccountController):
    tags = ["telephony"]

    @get("/telephony/lines", summary="Subscriber cards: status, tariff, usage this month, free minutes left "
                                     "(only on SIP-соединение)", responses=answers(200, t.SubscriberCards))
    async def lines(self, account: str, telephony_api: InternalClient) -> dict[str, Any]:
        return await telephony_api.call("GET", f"/internal/v1/accounts/{account}/lines")

    @post("/call-detail-orders", status_code=202,
          summary="Order call detail by e-mail (current and previous month) to the caller's e-mail",
          responses=answers(202, t.DetailOrdered))
    async def order_detail(self, account: str, data: DetailOrderRequest, telephony_api: InternalClient,
                           caller: Caller, pool: Pool, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        reply = await order_call_detail(account, data, telephony_api, caller, pool, idempotency_key)
        return replayable_response(reply.body, 202, replayed=reply.replayed)

    @get("/lines/{line_id:str}/services", summary="The subscriber's add-ons: connected at, status, reason, validity",
         description="Connecting and disconnecting are `POST .../add-ons` (where the tariff allows; minute "
                     "bundles only by written application: `422 add_on.not_self_service`).",
         responses=answers(200, t.LineAddOns))
    async def add_ons(self, account: str, line_id: LineId, telephony_api: InternalClient) -> dict[str, Any]:
        return await telephony_api.call("GET", _line(account, line_id, "/add-ons"))

    @get("/lines/{line_id:str}/channels", summary="The multichannel package, the packages, when it may change",
         responses=answers(200, t.ChannelsPage))
    async def channels(self, account: str, line_id: LineId, telephony_api: InternalClient) -> dict[str, Any]:
        return await telephony_api.call("GET", _line(account, line_id, "/channels"))

    @post("/lines/{line_id:str}/channels/review", status_code=200,
          summary="Review a package change before confirming it (nothing changes)",
          responses=answers(200, t.ChannelsReviewPage))
    async def review(self, account: str, line_id: LineId, data: ChannelsRequest,
                     telephony_api: InternalClient) -> dict[str, Any]:
        return await telephony_api.call("POST", _line(account, line_id, "/channels/review"),
                                        json=data.model_dump(mode="json"))

    @post("/lines/{line_id:str}/channels", status_code=200,
          summary="Change the package (once in 7 days: 422 channels.change_too_soon with next_change_at)",
          responses=answers(200, t.LineChanged))
    async def change(self, account: str, line_id: LineId, data: ChannelsRequest, telephony_api: InternalClient,
                     caller: Caller, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await _command(telephony_api, caller, _line(account, line_id, "/channels"),
                              data.model_dump(mode="json"), idempotency_key)

    @get("/lines/{line_id:str}/sip-settings", summary="SIP settings; the auth password masked",
         responses=answers(200, t.SipSettingsPage))
    async def sip_settings(self, account: str, line_id: LineId, telephony_api: InternalClient) -> dict[str, Any]:
        return await telephony_api.call("GET", _line(account, line_id, "/sip-settings"))

    @post("/lines/{line_id:str}/sip-password", status_code=200, summary="Change the SIP auth password",
          responses=answers(200, t.SipPasswordChanged))
    async def sip_password(self, account: str, line_id: LineId, data: SipPasswordRequest,
                           telephony_api: InternalClient, caller: Caller) -> Response[dict[str, Any]]:
        return await _command(telephony_api, caller, _line(account, line_id, "/sip-password"),
                              data.model_dump(mode="json", exclude_none=True), None)

    @get("/lines/{line_id:str}/internet", summary="Mobile internet: on or off, its package, the packages",
         responses=answers(200, t.MobileInternet))
    async def internet(self, account: str, line_id: LineId, telephony_api: InternalClient) -> dict[str, Any]:
        return await telephony_api.call("GET", _line(account, line_id, "/internet"))

    @post("/lines/{line_id:str}/internet", status_code=200, summary="Switch mobile internet or change its package",
          responses=answers(200, t.LineChanged))
    async def set_internet(self, account: str, line_id: LineId, data: InternetRequest, telephony_api: InternalClient,
                           caller: Caller, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await _command(telephony_api, caller, _line(account, line_id, "/internet"),
                              data.model_dump(mode="json"), idempotency_key)

    @post("/lines/{line_id:str}/pause", status_code=200, summary="Pause («Пауза») or resume a mobile number",
          responses=answers(200, t.LineChanged))
    async def pause(self, account: str, line_id: LineId, data: PauseRequest, telephony_api: InternalClient,
                    caller: Caller, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        return await _command(telephony_api, caller, _line(account, line_id, "/pause"),
                              data.model_dump(mode="json"), idempotency_key)

    @get("/lines/{line_id:str}/calls", summary="Call detail: the current period (as of yesterday) or one of the six "
                                              "months before, outgoing, incoming or both", responses=answers(200,
                                                                                                           t.CallDetailPage))
    async def calls(
        self, account: str, line_id: LineId, telephony_api: InternalClient,
        period: Annotated[str, Parameter(default="current", max_length=16, pattern=r"^(current|[0-9]{4}-[0-9]{2})$",
                                         description="current or YYYY-MM")],
        direction: Annotated[Literal["out", "in", "both"], Parameter(default="both")],
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        return await telephony_api.call("GET", _line(account, line_id, "/calls"), params={
            "period": period, "direction": direction, "limit": limit, "offset": offset})


async def order_call_detail(account: str, data: DetailOrderRequest, telephony_api: InternalClient, caller: Caller,
                            pool: Pool, key: str | None) -> Reply:
    """Call detail by e-mail to the caller's profile e-mail (422 `detail.email_missing` without one);
    the telephony service checks the numbers and the days."""
    profile = await user_profile(pool, caller.user_id)
    email = profile.get("email") if profile else None
    if not email:
        raise DomainError("detail.email_missing", "add an e-mail to your profile to receive the detail")
    body = {**data.model_dump(mode="json"), "email": email}
    return await telephony_api.send("POST", f"/internal/v1/accounts/{account}/call-detail-orders", json=body,
                                    actor=caller.actor, idempotency_key=key)
