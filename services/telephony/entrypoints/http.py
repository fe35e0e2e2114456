"""The telephony service's internal API (the gateway's, the office's and the switch's).

CDRs: `POST /internal/v1/cdrs` {items: [CDR, ...]} (at most 5,000; the format in domain/cdr.py)
answers what was accepted, what were duplicates and which items went to the dead letters (with
code and reason); `GET /internal/v1/cdrs/dead-letters`. Operators: `POST /internal/v1/rerate`
{period, account_id?}. Per line of an account: cards with the remaining free minutes, add-ons, the
multichannel package (and its change), SIP settings (and the password), mobile internet, pause, and
the call detail. Problem details with stable codes: `line.not_found` (404), `channels.*`,
`internet.*`, `pause.not_mobile`, `sip.not_sip`, `detail.period_out_of_range`, `rerate.*` (422)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.telephony.application.context import Telephony
from services.telephony.application.demo import load_demo_calls
from services.telephony.application.detail_orders import order_detail
from services.telephony.application.ingest import ingest
from services.telephony.application.lines import (
    change_channels,
    change_sip_password,
    review_channels,
    set_internet,
    set_paused,
)
from services.telephony.application.queries import (
    account_lines,
    call_detail,
    channels_page,
    internet_page,
    line_add_ons,
    sip_settings,
)
from services.telephony.application.rerate import rerate_period
from services.telephony.entrypoints import answers as a
from services.telephony.settings import TelephonySettings
from shared.http import (
    ID_PATTERN,
    AccountId,
    Actor,
    IdempotencyKey,
    command_metadata,
    command_response,
    replayable_response,
)
from shared.openapi import answers
from shared.paging import TOTAL, page_of

__all__ = ["MAX_BATCH", "CdrController", "LinesController"]

MAX_BATCH = 5000
LineId = Annotated[str, Parameter(pattern=ID_PATTERN, description="subscriber line id")]


class CdrBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Raw CDRs as the switch writes them; each is checked on its own (a bad one is dead-lettered).
    items: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH)


class Rerate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    account_id: str | None = Field(default=None, pattern=ID_PATTERN)


class ChangeChannels(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: int = Field(ge=1, le=1000, description="5, 20, 30, 145 or 150")


class SetInternet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool
    package: str | None = Field(default=None, max_length=64)


class SetPause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paused: bool


class SipPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Left out: the server generates one and answers it once.
    password: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[\x21-\x7e]+$")


class DemoCalls(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: list[str] = Field(min_length=1, max_length=20)
    count: int = Field(ge=1, le=5000)
    seed: int = Field(default=4, ge=0, le=1_000_000)
    #: Besides `count` calls since the lines were loaded: `history_count` calls over the `months`
    #: months before, stored for the call detail and never charged (ingest's history).
    months: int = Field(default=0, ge=0, le=6)
    history_count: int = Field(default=0, ge=0, le=5000)


class DemoController(Controller):
    """Never in production (app.py mounts it unless BILLING_ENV=prod): the demo loader's calls."""

    path = "/internal/v1/demo"

    @post("/cdrs", status_code=200, summary="Demo calls of the given numbers through the real ingestion (dev only)",
          responses=answers(200, a.Ingested))
    async def demo(self, data: DemoCalls, telephony: Telephony) -> dict[str, Any]:
        return (await load_demo_calls(telephony, data.numbers, data.count, data.seed, months=data.months,
                                      history_count=data.history_count)).as_dict()


class DetailOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: str = Field(min_length=12, max_length=2000, description="375xxxxxxxxx;375xxxxxxxxx (the client's own)")
    date_from: date
    date_to: date
    direction: Literal["out", "in", "both"] = "both"
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class CdrController(Controller):
    path = "/internal/v1"

    @post("/cdrs", status_code=200, summary="Ingest a batch of raw CDRs (idempotent by origin and call id)",
          responses=answers(200, a.Ingested))
    async def cdrs(self, data: CdrBatch, telephony: Telephony) -> dict[str, Any]:
        return (await ingest(telephony, data.items, "http")).as_dict()

    @get("/cdrs/dead-letters", summary="CDRs that could not be taken, newest first, with their reasons",
         responses=answers(200, a.DeadLetters))
    async def dead_letters(self, telephony: Telephony, limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
                           offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)]) -> dict[str, Any]:
        rows = await telephony.pool.fetch(
            f"SELECT id, source, origin, call_id, code, reason, at, count(*) OVER () AS {TOTAL}"
            " FROM cdr_dead_letters ORDER BY id DESC LIMIT $1 OFFSET $2", limit, offset)
        page = page_of(rows, ("id", "source", "origin", "call_id", "code", "reason", "at"), limit=limit, offset=offset)
        for item in page["items"]:
            item["at"] = item["at"].isoformat()
        return page

    @post("/rerate", status_code=200, summary="Re-rate a period: refunds and charges again where figures changed",
          responses=answers(200, a.Rerated))
    async def rerate(self, data: Rerate, telephony: Telephony) -> dict[str, Any]:
        period = date.fromisoformat(f"{data.period}-01")
        return (await rerate_period(telephony, period, data.account_id)).as_dict()


class LinesController(Controller):
    path = "/internal/v1/accounts/{account_id:str}"

    @get("/lines", summary="Subscriber cards: status, tariff, usage this month, free minutes left (SIP-соединение)",
         responses=answers(200, a.SubscriberCards))
    async def lines(self, account_id: AccountId, telephony: Telephony) -> dict[str, Any]:
        return await account_lines(telephony, account_id)

    @post("/call-detail-orders", status_code=202,
          summary="Order call detail by e-mail (current and previous month; the client's own numbers)",
          responses=answers(202, a.DetailOrdered))
    async def order_detail(self, account_id: AccountId, data: DetailOrder, telephony: Telephony, actor: Actor,
                           key: IdempotencyKey) -> Response[dict[str, Any]]:
        body = await order_detail(telephony, account_id, data.numbers, data.date_from, data.date_to, data.direction,
                                  data.email, actor, key)
        return replayable_response(body, 202, replayed=body["repeated"])

    @get("/lines/{line_id:str}/add-ons", summary="The line's add-ons: connected at, status, reason, validity",
         responses=answers(200, a.LineAddOns))
    async def add_ons(self, account_id: AccountId, line_id: LineId, telephony: Telephony) -> dict[str, Any]:
        return await line_add_ons(telephony, account_id, line_id)

    @get("/lines/{line_id:str}/channels", summary="The multichannel package, the packages and when it may change",
         responses=answers(200, a.ChannelsPage))
    async def channels(self, account_id: AccountId, line_id: LineId, telephony: Telephony) -> dict[str, Any]:
        return await channels_page(telephony, account_id, line_id)

    @post("/lines/{line_id:str}/channels", status_code=200,
          summary="Change the multichannel package (once in 7 days: channels.change_too_soon with next_change_at)",
          responses=answers(200, a.LineChanged))
    async def change_channels(self, account_id: AccountId, line_id: LineId, data: ChangeChannels,
                              telephony: Telephony, actor: Actor, key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await change_channels(telephony, account_id, line_id, data.channels, command_metadata(actor), key)
        return command_response(result)

    @post("/lines/{line_id:str}/channels/review", status_code=200,
          summary="The review step: the change as it would be made (nothing changes); refused as the change would be",
          responses=answers(200, a.ChannelsReviewPage))
    async def review_channels(self, account_id: AccountId, line_id: LineId, data: ChangeChannels,
                              telephony: Telephony) -> dict[str, Any]:
        return await review_channels(telephony, account_id, line_id, data.channels)

    @get("/lines/{line_id:str}/sip-settings", summary="SIP settings; the auth password masked",
         responses=answers(200, a.SipSettingsPage))
    async def sip_settings(self, account_id: AccountId, line_id: LineId, telephony: Telephony,
                           settings: TelephonySettings) -> dict[str, Any]:
        return await sip_settings(telephony, account_id, line_id, settings.sip_server, settings.sip_ip_address)

    @post("/lines/{line_id:str}/sip-password", status_code=200,
          summary="Set the SIP auth password (handed to the switch, never kept or published)",
          responses=answers(200, a.SipPasswordChanged))
    async def sip_password(self, account_id: AccountId, line_id: LineId, data: SipPassword, telephony: Telephony,
                           actor: Actor) -> Response[dict[str, Any]]:
        result, generated = await change_sip_password(telephony, account_id, line_id, data.password,
                                                      command_metadata(actor))
        response = command_response(result)
        if generated is not None:
            response.content = {**response.content, "generated_password": generated}
        return response

    @get("/lines/{line_id:str}/internet", summary="Mobile internet: on or off, its package, the packages",
         responses=answers(200, a.MobileInternet))
    async def internet(self, account_id: AccountId, line_id: LineId, telephony: Telephony) -> dict[str, Any]:
        return await internet_page(telephony, account_id, line_id)

    @post("/lines/{line_id:str}/internet", status_code=200, summary="Switch mobile internet or change its package",
          responses=answers(200, a.LineChanged))
    async def set_internet(self, account_id: AccountId, line_id: LineId, data: SetInternet, telephony: Telephony,
                           actor: Actor, key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await set_internet(telephony, account_id, line_id, data.enabled, data.package,
                                    command_metadata(actor), key)
        return command_response(result)

    @post("/lines/{line_id:str}/pause", status_code=200, summary="Pause («Пауза») or resume a mobile number",
          responses=answers(200, a.LineChanged))
    async def pause(self, account_id: AccountId, line_id: LineId, data: SetPause, telephony: Telephony, actor: Actor,
                    key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await set_paused(telephony, account_id, line_id, data.paused, command_metadata(actor), key)
        return command_response(result)

    @get("/lines/{line_id:str}/calls", summary="Call detail: current period (as of yesterday) or one of six months",
         responses=answers(200, a.CallDetailPage))
    async def calls(
        self, account_id: AccountId, line_id: LineId, telephony: Telephony,
        period: Annotated[str, Parameter(default="current", max_length=16, description="current or YYYY-MM")],
        direction: Annotated[Literal["out", "in", "both"], Parameter(default="both")],
        limit: Annotated[int, Parameter(ge=1, le=100, default=20)],
        offset: Annotated[int, Parameter(ge=0, le=100_000, default=0)],
    ) -> dict[str, Any]:
        return await call_detail(telephony, account_id, line_id, period, direction, limit, offset)
