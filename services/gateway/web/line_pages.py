"""More of the cabinet's pages (issue 14): what a line's owner changes on it, what is ordered by
e-mail, the notification preferences and the knowledge base (the organization admin's add-on action
over a list of subscribers is on the subscribers page, pages.py).

As in pages.py, each page calls the API's own functions or sends the same internal request with the
same body model as the API's route (entrypoints/cabinet.py, add_ons.py, mobile.py, telephony.py,
invoicing.py, messages.py, support.py): the body is validated by the route's pydantic model, so a
page refuses exactly what the API refuses; a refusal is shown beside its field (422), a change is
answered by a redirect (303) to the page that shows it. Passwords entered here are never drawn back
into a page."""

from __future__ import annotations

import re
from typing import Any, get_args
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.response import Template
from pydantic import ValidationError

from services.gateway.entrypoints.add_ons import TV_SUBSCRIPTIONS
from services.gateway.entrypoints.cabinet import ServicePassword, TariffChange, change_service_password, tariff_options
from services.gateway.entrypoints.invoicing import InvoiceResend, PreliminaryOrder
from services.gateway.entrypoints.invoicing_reports import ChargesMailOrder
from services.gateway.entrypoints.messages import PreferencesChange, Topic, change_preferences, notification_preferences
from services.gateway.entrypoints.mobile import SIM_OWNERS, Condition, Forwarding, VoicemailCopy
from services.gateway.entrypoints.telephony import DetailOrderRequest, InternetRequest, PauseRequest, order_call_detail
from shared.errors import DomainError, Forbidden, ValidationFailed
from shared.http import ID_PATTERN

from .i18n import Words
from .pages import Problems, _form, _key, _line_id, _months, redirect, render
from .session import PREFIX, Web, signed_in

__all__ = ["LinePages", "MorePages"]

CONDITIONS: tuple[str, ...] = get_args(Condition)
#: The topics whose channels the API lets the caller choose (others are shown, not changed).
CHOOSABLE_TOPICS: tuple[str, ...] = get_args(Topic)
CHANNELS = ("sms", "email")


def _invalid(error: ValidationError, words: Words, rename: dict[str, str] | None = None) -> Problems:
    """A body model's refusal beside the form's fields (named as the model names them)."""
    fields: dict[str, str] = {}
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "form"
        fields[(rename or {}).get(name, name)] = words.problem("form.invalid", "")
    return Problems(fields, [])


def _beside(error: DomainError, words: Words, default: str | None) -> Problems:
    """A refusal beside the field it names itself, else beside `default` (or where FIELD_OF puts it)."""
    return Problems.of(error, words, error.extra.get("field") or default)


def _line_path(account: str, line: str, rest: str = "") -> str:
    return f"/internal/v1/accounts/{account}/lines/{line}{rest}"


class LinePages(Controller):
    """A line's own settings: its tariff (entrypoints/cabinet.py), its service password (internet
    and TV lines), the TV partners' packages (add_ons.py), and a mobile number's screens: mobile
    internet and its package, the pause (telephony.py), forwarding, the voicemail copy and the SIM's
    codes (mobile.py)."""

    path = PREFIX
    include_in_schema = False

    # -- tariff -------------------------------------------------------------------------------------
    @get("/accounts/{account_id:str}/lines/{line_id:str}/tariff")
    async def tariff(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        return await self._tariff(request, web, await web.account(account_id), _line_id(line_id), {}, Problems.none())

    async def _tariff(self, request: Request[Any, Any, Any], web: Web, account: str, line: str, form: dict[str, str],
                      problems: Problems) -> Template:
        found = await tariff_options(account, line, web.wiring.runtime.pool, web.wiring.accounts)
        return render(request, "tariff.html", web, status=422 if problems else 200, account_id=account, line_id=line,
                      tariffs=found, form=form, problems=problems, done=request.query_params.get("done"),
                      effective_from=request.query_params.get("from"))

    @post("/accounts/{account_id:str}/lines/{line_id:str}/tariff")
    async def change_tariff(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Response[Any]:
        web = await signed_in(request)
        account, line = await web.account(account_id), _line_id(line_id)
        form = await _form(request)
        try:
            data = TariffChange(tariff_id=form.get("tariff_id", ""), mode=form.get("mode") or "next_period")
            reply = await web.commands("accounts").reply(
                "POST", _line_path(account, line, "/tariff"), data.model_dump(), _key(form))
        except ValidationError as error:
            return await self._tariff(request, web, account, line, form, _invalid(error, web.words))
        except DomainError as error:
            return await self._tariff(request, web, account, line, form, _beside(error, web.words, "tariff_id"))
        query = urlencode({"done": data.mode, "from": reply.body.get("effective_from") or ""})
        return redirect(web, f"{PREFIX}/accounts/{account}/lines/{line}/tariff?{query}")

    # -- service password (internet login, TV account) ----------------------------------------------
    @get("/accounts/{account_id:str}/lines/{line_id:str}/password")
    async def service_password(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        account, line = await web.account(account_id), _line_id(line_id)
        return render(request, "service_password.html", web, account_id=account, line_id=line,
                      done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/lines/{line_id:str}/password")
    async def set_service_password(self, request: Request[Any, Any, Any], account_id: str,
                                      line_id: str) -> Response[Any]:
        web = await signed_in(request)
        account, line = await web.account(account_id), _line_id(line_id)
        form = await _form(request)
        problems = Problems.none()
        try:
            data = ServicePassword(password=form.get("password", ""),
                                   password_confirmation=form.get("password_confirmation", ""))
            await change_service_password(account, line, data, web.commands("accounts"), _key(form))
        except ValidationError as error:
            problems = _invalid(error, web.words)
        except DomainError as error:
            problems = Problems.of(error, web.words)
        if problems:  # drawn again empty: a password never goes back into a page
            return render(request, "service_password.html", web, status=422, account_id=account, line_id=line,
                          problems=problems)
        return redirect(web, f"{PREFIX}/accounts/{account}/lines/{line}/password?done=1")

    # -- TV partners' packages ----------------------------------------------------------------------
    @get("/accounts/{account_id:str}/lines/{line_id:str}/tv")
    async def tv(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        return await self._tv(request, web, await web.account(account_id), _line_id(line_id), Problems.none())

    async def _tv(self, request: Request[Any, Any, Any], web: Web, account: str, line: str,
                  problems: Problems) -> Template:
        found = await web.wiring.accounts.call("GET", TV_SUBSCRIPTIONS.format(account=account, line_id=line))
        return render(request, "tv.html", web, status=422 if problems else 200, account_id=account, line_id=line,
                      tv=found, problems=problems, done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/lines/{line_id:str}/tv")
    async def change_tv(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Response[Any]:
        web = await signed_in(request)
        account, line = await web.account(account_id), _line_id(line_id)
        form = await _form(request)
        path = TV_SUBSCRIPTIONS.format(account=account, line_id=line)
        try:
            service_id, action = form.get("service_id", ""), form.get("action")
            if action not in ("connect", "end") or not re.search(ID_PATTERN, service_id):
                raise ValidationFailed("form.invalid", "choose a package and what to do with it")
            if action == "connect":
                await web.commands("accounts").reply("POST", path, {"service_id": service_id}, _key(form))
            else:
                await web.commands("accounts").reply("POST", f"{path}/{service_id}/end", key=_key(form))
        except DomainError as error:
            return await self._tv(request, web, account, line, _beside(error, web.words, "packages"))
        return redirect(web, f"{PREFIX}/accounts/{account}/lines/{line}/tv?done=tv_{action}")

    # -- a mobile number ----------------------------------------------------------------------------
    @get("/accounts/{account_id:str}/lines/{line_id:str}/mobile")
    async def mobile(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        return await self._mobile(request, web, await web.account(account_id), _line_id(line_id), {}, Problems.none())

    async def _mobile(self, request: Request[Any, Any, Any], web: Web, account: str, line: str, form: dict[str, str],
                      problems: Problems) -> Template:
        internet = await web.wiring.telephony.call("GET", _line_path(account, line, "/internet"))
        settings = await web.wiring.accounts.call("GET", _line_path(account, line, "/mobile"))
        return render(request, "mobile.html", web, status=422 if problems else 200, account_id=account, line_id=line,
                      internet=internet, settings=settings, conditions=CONDITIONS, form=form, problems=problems,
                      done=request.query_params.get("done"),
                      sim_shown=web.caller.role in SIM_OWNERS["only"].roles)

    @post("/accounts/{account_id:str}/lines/{line_id:str}/mobile/{what:str}")
    async def change_mobile(self, request: Request[Any, Any, Any], account_id: str, line_id: str,
                            what: str) -> Response[Any]:
        web = await signed_in(request)
        account, line = await web.account(account_id), _line_id(line_id)
        form = await _form(request)
        key = _key(form)
        telephony = web.wiring.telephony
        try:
            if what == "internet":
                internet = InternetRequest(enabled=form.get("enabled") == "on", package=form.get("package") or None)
                await telephony.send("POST", _line_path(account, line, "/internet"), json=internet.model_dump(),
                                     actor=web.caller.actor, idempotency_key=key)
            elif what == "pause":
                pause = PauseRequest(paused=form.get("paused") == "on")
                await telephony.send("POST", _line_path(account, line, "/pause"), json=pause.model_dump(),
                                     actor=web.caller.actor, idempotency_key=key)
            elif what == "forwarding":
                condition = form.get("condition", "")
                if condition not in CONDITIONS:
                    raise ValidationFailed("form.invalid", "choose when to forward", field="condition")
                forwarding = Forwarding(target=form.get("target") or None)
                await web.commands("accounts").reply(
                    "PUT", _line_path(account, line, f"/call-forwarding/{condition}"), forwarding.model_dump(), key)
            elif what == "voicemail-copy":
                copy = VoicemailCopy(email=form.get("voicemail_email") or None)
                await web.commands("accounts").reply(
                    "PUT", _line_path(account, line, "/voicemail-copy"), copy.model_dump(), key)
            else:
                raise ValidationFailed("form.invalid", "no such setting")
        except ValidationError as error:
            problems = _invalid(error, web.words, {"email": "voicemail_email"})
            return await self._mobile(request, web, account, line, form, problems)
        except DomainError as error:
            where = {"internet": "package", "pause": "paused", "forwarding": "target",
                     "voicemail-copy": "voicemail_email"}.get(what)
            return await self._mobile(request, web, account, line, form, _beside(error, web.words, where))
        return redirect(web, f"{PREFIX}/accounts/{account}/lines/{line}/mobile?done={what}")

    @get("/accounts/{account_id:str}/lines/{line_id:str}/sim")
    async def sim(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        account, line = await web.account(account_id), _line_id(line_id)
        owners = SIM_OWNERS["only"]
        if web.caller.role not in owners.roles:  # the API route's `only`
            raise Forbidden(owners.code, owners.detail)
        found = await web.wiring.accounts.call("GET", _line_path(account, line, "/sim"))
        return render(request, "sim.html", web, account_id=account, line_id=line, sim=found,
                      headers={"cache-control": "no-store"})


class MorePages(Controller):
    """What is ordered by e-mail (call detail: telephony.py; a past invoice again and the
    preliminary invoice: invoicing.py), the notification preferences (messages.py) and the knowledge
    base (support.py)."""

    path = PREFIX
    include_in_schema = False

    # -- call detail by e-mail ------------------------------------------------------------------------
    @get("/accounts/{account_id:str}/call-detail-orders")
    async def call_detail_order(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        today = web.words.today.isoformat()
        return await self._detail(request, web, account, {"date_from": today, "date_to": today, "direction": "both"},
                                  Problems.none())

    async def _detail(self, request: Request[Any, Any, Any], web: Web, account: str, form: dict[str, str],
                      problems: Problems, ordered: dict[str, Any] | None = None) -> Template:
        cards = await web.wiring.telephony.call("GET", f"/internal/v1/accounts/{account}/lines")
        return render(request, "call_detail_order.html", web, status=422 if problems else 200, account_id=account,
                      numbers=[c["identifier"] for c in cards["items"]], form=form, problems=problems,
                      ordered=ordered)

    @post("/accounts/{account_id:str}/call-detail-orders")
    async def order_detail(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        # One field per ticked number (`number-<n>`): htmx sends one value per name of a boosted form.
        numbers = ";".join(v for k, v in form.items() if re.fullmatch(r"number-[0-9]{1,4}", k)) \
            or form.get("numbers", "")
        try:
            data = DetailOrderRequest(numbers=numbers, date_from=form.get("date_from", ""),
                                      date_to=form.get("date_to", ""),
                                      direction=form.get("direction") or "both")
            reply = await order_call_detail(account, data, web.wiring.telephony, web.caller, web.wiring.runtime.pool,
                                            _key(form))
        except ValidationError as error:
            return await self._detail(request, web, account, {**form, "numbers": numbers},
                                      _invalid(error, web.words))
        except DomainError as error:
            return await self._detail(request, web, account, {**form, "numbers": numbers},
                                      Problems.of(error, web.words))
        # The order is answered here (its masked address is shown once); the form is drawn anew.
        return await self._detail(request, web, account, {k: form.get(k, "") for k in ("date_from", "date_to",
                                                                                      "direction")},
                                  Problems.none(), ordered=reply.body)

    # -- invoices by e-mail ---------------------------------------------------------------------------
    @get("/accounts/{account_id:str}/invoice-mailings")
    async def invoice_mailings(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        return await self._mailings(request, web, await web.account(account_id), {}, Problems.none())

    async def _mailings(self, request: Request[Any, Any, Any], web: Web, account: str, form: dict[str, str],
                        problems: Problems) -> Template:
        delivery = await web.wiring.invoicing.call("GET", f"/internal/v1/accounts/{account}/invoice-delivery")
        return render(request, "invoice_mailings.html", web, status=422 if problems else 200, account_id=account,
                      periods=_months(web.words.today, range(1, 13)), delivery=delivery, form=form, problems=problems,
                      done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/invoice-mailings/{kind:str}")
    async def mail_invoice(self, request: Request[Any, Any, Any], account_id: str, kind: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            body: dict[str, Any]
            if kind == "resend":
                body = InvoiceResend(period=form.get("period", ""),
                                     format=form.get("format") or None).model_dump(mode="json", exclude_none=True)
                path = "invoice-sends"
            elif kind == "preliminary":
                body = PreliminaryOrder(numbers=form.get("numbers") or None,
                                        format=form.get("preliminary_format") or "pdf",
                                        ).model_dump(mode="json", exclude_none=True)
                path = "preliminary-invoices"
            elif kind == "charges":
                body = ChargesMailOrder(numbers=form.get("charges_numbers") or None,
                                        format=form.get("charges_format") or "pdf",
                                        ).model_dump(mode="json", exclude_none=True)
                path = "charges-mailings"
            else:
                raise ValidationFailed("form.invalid", "no such mailing")
            await web.wiring.invoicing.call("POST", f"/internal/v1/accounts/{account}/{path}", json=body,
                                            actor=web.caller.actor)
        except ValidationError as error:
            rename = {"preliminary": {"format": "preliminary_format"},
                      "charges": {"format": "charges_format", "numbers": "charges_numbers"}}.get(kind, {})
            return await self._mailings(request, web, account, form, _invalid(error, web.words, rename))
        except DomainError as error:
            if kind == "charges":  # its numbers field is the page's third: beside it, whatever the refusal names
                return await self._mailings(request, web, account, form,
                                            Problems.of(error, web.words, "charges_numbers"))
            where = "period" if kind == "resend" else "numbers"
            return await self._mailings(request, web, account, form, _beside(error, web.words, where))
        return redirect(web, f"{PREFIX}/accounts/{account}/invoice-mailings?done={kind}")

    # -- notification preferences ---------------------------------------------------------------------
    @get("/profile/notifications")
    async def preferences(self, request: Request[Any, Any, Any]) -> Template:
        web = await signed_in(request)
        found = await notification_preferences(web.caller, web.wiring.notifications)
        return render(request, "notifications.html", web, preferences=found, choosable=CHOOSABLE_TOPICS,
                      channels=CHANNELS, done=request.query_params.get("done"))

    @post("/profile/notifications")
    async def save_preferences(self, request: Request[Any, Any, Any]) -> Response[Any]:
        web = await signed_in(request)
        form = await _form(request)
        chosen = {topic: [c for c in CHANNELS if form.get(f"{topic}.{c}") == "on"] for topic in CHOOSABLE_TOPICS}
        try:
            await change_preferences(PreferencesChange(preferences=chosen),
                                     web.caller, web.commands("accounts"), _key(form), web.wiring.notifications)
        except DomainError as error:
            found = await notification_preferences(web.caller, web.wiring.notifications)
            return render(request, "notifications.html", web, status=422, preferences=found,
                          choosable=CHOOSABLE_TOPICS, channels=CHANNELS, problems=Problems.of(error, web.words))
        return redirect(web, f"{PREFIX}/profile/notifications?done=1")

    # -- the knowledge base ---------------------------------------------------------------------------
    @get("/knowledge-base")
    async def knowledge_base(self, request: Request[Any, Any, Any]) -> Template:
        web = await signed_in(request)
        found = await web.wiring.accounts.call("GET", "/internal/v1/knowledge-base")
        return render(request, "knowledge_base.html", web, pages=found["pages"])
