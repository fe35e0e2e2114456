"""The cabinet's installments, reports and charges by e-mail (issue 11 items 2, 7, 8; seeds 002-004):
«Информация по рассрочке» at client level and per subscriber (payments left, the monthly amount,
the payoff date, what was paid so far); reports of payments and charges for a range of days as PDF
or XLSX (ordered, made in the background by invoicing's document worker, then downloaded); the
current month's charges per subscriber by e-mail.

Every route takes `account` (a foreign account answers 404 before anything else). The invoicing
service owns the data and the rules; its refusals reach the cabinet unchanged as problem details
(`line.not_found`, `report.range_invalid`, `request.date_range_too_old`, `report.not_ready`,
`delivery.no_email`, `invoice.foreign_numbers`, ...)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from litestar import Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.auth.caller import Caller
from services.gateway.entrypoints import answers as a
from services.gateway.entrypoints.common import AccountController
from shared.http import ID_PATTERN
from shared.internal_api import InternalClient
from shared.openapi import answers, files

__all__ = ["CabinetReportsController"]

REPORT_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ReportId = Annotated[str, Parameter(pattern=r"^[0-9a-f-]{36}$", description="a report's id")]


class ReportOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_from: date = Field(description="the first day (the operator's), within the last 12 months")
    date_to: date = Field(description="the last day, not after today")
    format: Literal["pdf", "xlsx"] = "pdf"


class ChargesMailOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: str | None = Field(default=None, max_length=2000,
                                description="the account's own numbers separated by ';' (375xxxxxxx;375xxxxxxx); "
                                            "left out: every subscriber of the account")
    format: Literal["pdf", "xlsx"] = "pdf"


def report_json(account: str, report: dict[str, Any]) -> dict[str, Any]:
    return {**report, "download": f"/api/v1/accounts/{account}/reports/{report['report_id']}/document"}


class CabinetReportsController(AccountController):
    tags = ["charges and invoices"]

    @get("/installments", summary="«Информация по рассрочке»: installments of the account or of one subscriber line",
         responses=answers(200, a.Installments))
    async def installments(
        self, account: str, invoicing_api: InternalClient,
        line_id: Annotated[str | None, Parameter(query="line_id", default=None, pattern=ID_PATTERN)],
    ) -> dict[str, Any]:
        params = {"line_id": line_id} if line_id is not None else {}
        return await invoicing_api.call("GET", f"/internal/v1/accounts/{account}/installments", params=params)

    @get("/reports", summary="Reports of payments and charges ordered, newest first", responses=answers(200, a.Reports))
    async def reports(self, account: str, invoicing_api: InternalClient) -> dict[str, Any]:
        found = await invoicing_api.call("GET", f"/internal/v1/accounts/{account}/reports")
        return {"account_id": account, "reports": [report_json(account, r) for r in found["reports"]]}

    @post("/reports", status_code=202,
          summary="Order a report of payments and charges for a range of days (PDF or XLSX); made in the background",
          responses=answers(202, a.Report))
    async def order_report(self, account: str, data: ReportOrder, invoicing_api: InternalClient,
                           caller: Caller) -> dict[str, Any]:
        ordered = await invoicing_api.call("POST", f"/internal/v1/accounts/{account}/reports",
                                           json=data.model_dump(mode="json"), actor=caller.actor)
        return report_json(account, ordered)

    @get("/reports/{report_id:str}/document",
         summary="Download a report (409 report.not_ready while it is being made)",
         responses=files(200, *REPORT_TYPES, description="The file, named in content-disposition"))
    async def download_report(self, account: str, report_id: ReportId, invoicing_api: InternalClient,
                              caller: Caller) -> Response[bytes]:
        found = await invoicing_api.file(f"/internal/v1/accounts/{account}/reports/{report_id}/document",
                                         actor=caller.actor)
        headers = {"content-disposition": found.disposition} if found.disposition else {}
        return Response(found.content, media_type=found.media_type, headers=headers)

    @post("/charges-mailings", status_code=202,
          summary="E-mail the current month's charges per subscriber (every one or a list of the account's numbers)",
          responses=answers(202, a.InvoiceMailing))
    async def charges_mail(self, account: str, data: ChargesMailOrder, invoicing_api: InternalClient,
                           caller: Caller) -> dict[str, Any]:
        return await invoicing_api.call("POST", f"/internal/v1/accounts/{account}/charges-mailings",
                                        json=data.model_dump(mode="json", exclude_none=True), actor=caller.actor)
