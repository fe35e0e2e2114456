"""Cabinet pages of «Информация по рассрочке» (installments, at client level and per subscriber) and
of the reports of payments and charges (ordered for a range of days as PDF or XLSX, made in the
background, then downloaded). They ask the invoicing service exactly as the API's routes do
(entrypoints/invoicing_reports.py), so they show and refuse what the API does."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from services.gateway.entrypoints.invoicing_reports import REPORT_TYPES
from shared.errors import DomainError, NotFound, ValidationFailed
from shared.http import ID_PATTERN

from .pages import SECURITY_HEADERS, Problems, _day, _form, redirect, render
from .session import PREFIX, Web, signed_in

__all__ = ["InstallmentsAndReportsPages"]

_REPORT_ID = re.compile(r"^[0-9a-f-]{36}$")


class InstallmentsAndReportsPages(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/accounts/{account_id:str}/installments")
    async def installments(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        line_id = request.query_params.get("line_id") or None
        if line_id is not None and not re.fullmatch(ID_PATTERN, line_id):
            raise NotFound("line.not_found", "no such line")
        found = await web.wiring.invoicing.call("GET", f"/internal/v1/accounts/{account}/installments",
                                                params={"line_id": line_id} if line_id else {})
        return render(request, "installments.html", web, account_id=account, found=found, line_id=line_id)

    @get("/accounts/{account_id:str}/reports")
    async def reports(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        return await self._reports(request, web, account, {}, Problems.none())

    async def _reports(self, request: Request[Any, Any, Any], web: Web, account: str, form: dict[str, str],
                       problems: Problems) -> Template:
        found = await web.wiring.invoicing.call("GET", f"/internal/v1/accounts/{account}/reports")
        return render(request, "reports.html", web, status=422 if problems else 200, account_id=account,
                      reports=found["reports"], form=form, problems=problems, done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/reports")
    async def order_report(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            if form.get("format", "pdf") not in ("pdf", "xlsx"):
                raise ValidationFailed("form.invalid", "pdf or xlsx", field="format")
            body = {"date_from": _day(form.get("date_from", ""), "date_from").isoformat(),
                    "date_to": _day(form.get("date_to", ""), "date_to").isoformat(),
                    "format": form.get("format", "pdf")}
            await web.wiring.invoicing.call("POST", f"/internal/v1/accounts/{account}/reports", json=body,
                                            actor=web.caller.actor)
        except DomainError as error:
            return await self._reports(request, web, account, form, Problems.of(error, web.words, "date_from"))
        return redirect(web, f"{PREFIX}/accounts/{account}/reports?done=ordered")

    @get("/accounts/{account_id:str}/reports/{report_id:str}/document")
    async def download_report(self, request: Request[Any, Any, Any], account_id: str,
                              report_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        if not _REPORT_ID.fullmatch(report_id):
            raise NotFound("report.not_found", "no such report")
        found = await web.wiring.invoicing.file(f"/internal/v1/accounts/{account}/reports/{report_id}/document",
                                                actor=web.caller.actor)
        assert found.media_type in REPORT_TYPES
        headers = {**SECURITY_HEADERS, **({"content-disposition": found.disposition} if found.disposition else {})}
        return Response(found.content, media_type=found.media_type, headers=headers, cookies=web.cookies)
