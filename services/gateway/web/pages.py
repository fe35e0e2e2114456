"""The cabinet's pages: server-rendered HTML on the gateway, under /cabinet.

Each page calls the same query and command functions the API's routes call, in-process (never HTTP
to the gateway itself): the read models' queries (projections/*_queries.py, messages.py), the
`Commands` the API sends to the owning service (entrypoints/common.py), and the API's login,
refresh, history bounds, status settling and renames (entrypoints/auth.py, accounts.py,
payments.py, profile.py). So a page shows and refuses exactly what the API does.

Every form is a plain HTML form that works without JavaScript: a POST that changes something answers
a redirect (303) to the page that shows the result, or the same form again with the refusal beside
its field (422). With JavaScript, htmx (vendored, `hx-boost`) submits the same forms and swaps the
page's body. Each form carries the CSRF token (Litestar's CSRF middleware, double submit: the
`csrftoken` cookie and the `_csrf_token` field or the `x-csrftoken` header htmx sends) and an
idempotency key made when the form was drawn, so a form sent twice is one command."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from pydantic import ValidationError

from services.gateway.auth.sessions import revoke_session
from services.gateway.entrypoints.accounts import history_bounds
from services.gateway.entrypoints.add_ons import BulkAction, BulkLine, bulk_add_ons
from services.gateway.entrypoints.auth import (
    CodeLogin,
    CodeRequest,
    PasswordChange,
    PasswordLogin,
    Recovery,
    change_password,
    client_address,
    code_login,
    password_login,
    recover_password,
    send_login_code,
)
from services.gateway.entrypoints.common import Page
from services.gateway.entrypoints.invoicing import PERIOD_PATTERN, WINDOW_LAST_DAY
from services.gateway.entrypoints.payments import settle_status
from services.gateway.entrypoints.profile import (
    CodeConfirmation,
    RenameItem,
    Renames,
    confirm_sms_phone,
    rename_subscribers,
    send_sms_phone_code,
)
from services.gateway.projections.cabinet_accounts_queries import (
    account_blocks,
    account_summary,
    client_requisites,
    my_accounts,
    organization_subscribers,
    user_profile,
)
from services.gateway.projections.cabinet_payments_queries import (
    autopay_settings,
    guarantee_history,
    payment_history,
    promised_payment_history,
)
from services.gateway.projections.messages import message_list
from shared.calendar import add_months, month_start, previous_month_start
from shared.errors import DomainError, Forbidden, NotFound, ValidationFailed
from shared.http import ID_PATTERN
from shared.money import parse_amount

from .i18n import FIELD_OF, LANGUAGES, Words
from .session import LANG_COOKIE, PREFIX, SEEN_COOKIE, Web, page_words, session_cookie, signed_in, wiring_of

__all__ = ["CSP", "SECURITY_HEADERS", "AccountExtrasPages", "CabinetPages", "Problems", "SupportPages", "render"]

_KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")
#: No inline script or style, nothing from another origin, never framed; on every page, error
#: pages included (the router's `response_headers` do not reach answers of exception handlers).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none';"
       " base-uri 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
                    "referrer-policy": "same-origin"}


@dataclass
class Problems:
    """Refusals to show on a form: beside their field (`fields`), or above the form (`general`)."""

    fields: dict[str, str]
    general: list[str]

    @staticmethod
    def none() -> Problems:
        return Problems({}, [])

    @staticmethod
    def of(error: DomainError, words: Words, field: str | None = None) -> Problems:
        text = words.problem(error.code, error.detail)
        where = field or error.extra.get("field") or FIELD_OF.get(error.code)
        return Problems({str(where): text}, []) if where else Problems({}, [text])

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() if isinstance(v, str) else "" for k, v in form.items() if k != "_csrf_token"}


def _key(form: dict[str, str]) -> str:
    """The form's idempotency key (made when it was drawn); a fresh one when missing or malformed."""
    key = form.get("key", "")
    return key if _KEY.fullmatch(key) else str(uuid.uuid4())


def _amount(text: str, words: Words) -> str:
    """A typed amount ("150", "150,5", "150.50") as the API's decimal string, or the refusal."""
    typed = re.sub(r"\s", "", text).replace(",", ".")
    try:
        return f"{parse_amount(typed):.2f}"
    except ValueError:
        raise ValidationFailed("form.invalid", "the amount is not valid", field="amount") from None


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("form.invalid", f"{field} is not a day (YYYY-MM-DD)", field=field) from None


def _safe_next(value: str | None) -> str:
    """Back to a cabinet page only (never another site)."""
    if value and value.startswith(f"{PREFIX}/") and not value.startswith("//") and "\\" not in value:
        return value
    return f"{PREFIX}/accounts"


def render(request: Request[Any, Any, Any], name: str, web: Web | None = None, status: int = 200,
           cookies: list[Cookie] | None = None, headers: dict[str, str] | None = None, **context: Any) -> Template:
    words = web.words if web else page_words(request)
    return Template(template_name=name, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})},
                    cookies=[*(web.cookies if web else []), *(cookies or [])],
                    context={"w": words, "web": web, "caller": web.caller if web else None, "key": str(uuid.uuid4()),
                             "path": request.url.path, "languages": LANGUAGES, "prefix": PREFIX,
                             "problems": context.pop("problems", Problems.none()), **context})


def redirect(web: Web | None, to: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path=to, status_code=303, cookies=[*(web.cookies if web else []), *(cookies or [])])


def _seen(request: Request[Any, Any, Any]) -> dict[str, str]:
    try:
        found = json.loads(request.cookies.get(SEEN_COOKIE) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


async def _new_messages(web: Web, account_id: str) -> int:
    """Messages about the account since the caller last opened its messages page (the bell)."""
    seen = _seen(web.request).get(account_id, "")
    listed = await message_list(web.wiring.runtime.pool, account_id, status=None, limit=50, offset=0)
    return sum(1 for m in listed["items"] if (m["queued_at"] or "") > seen)


class CabinetPages(Controller):
    path = PREFIX
    include_in_schema = False

    # -- login, language, logout ----------------------------------------------------------------
    @get("/")
    async def home(self) -> Redirect:
        return Redirect(path=f"{PREFIX}/accounts", status_code=303)

    @get("/login")
    async def login_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "login.html", next=_safe_next(request.query_params.get("next")), form={})

    @post("/login")
    async def login(self, request: Request[Any, Any, Any]) -> Response[Any]:
        form = await _form(request)
        words, wiring = page_words(request), wiring_of(request)
        back_to = _safe_next(form.get("next"))
        try:
            data = PasswordLogin(login=form.get("login", ""), password=form.get("password", ""))
        except ValidationError as error:
            fields = {str(e["loc"][0]): words.problem("form.required", "") for e in error.errors()}
            return render(request, "login.html", status=422, problems=Problems(fields, []), form=form, next=back_to)
        try:
            tokens = await password_login(data, client_address(request), wiring.runtime.pool, wiring.accounts,
                                          wiring.clock, wiring.settings)
        except DomainError as error:
            return render(request, "login.html", status=422 if error.status < 500 else error.status,
                          problems=Problems.of(error, words), form={"login": data.login}, next=back_to)
        return self._signed_in(request, tokens, back_to, words, {"login": data.login})

    @post("/login/code")
    async def send_code(self, request: Request[Any, Any, Any]) -> Template:
        form = await _form(request)
        words, wiring = page_words(request), wiring_of(request)
        back_to = _safe_next(form.get("next"))
        try:
            await send_login_code(CodeRequest(phone=form.get("phone", "")), client_address(request),
                                  wiring.runtime.pool, wiring.accounts, wiring.clock, wiring.settings)
        except ValidationError:
            return render(request, "login.html", status=422, form=form, next=back_to,
                          problems=Problems({"phone": words.problem("form.invalid", "")}, []))
        except DomainError as error:
            return render(request, "login.html", status=422, form=form, next=back_to,
                          problems=Problems.of(error, words, "phone"))
        return render(request, "login.html", form=form, next=back_to, code_sent=True)

    @post("/login/code/verify")
    async def verify_code(self, request: Request[Any, Any, Any]) -> Response[Any]:
        form = await _form(request)
        words, wiring = page_words(request), wiring_of(request)
        back_to = _safe_next(form.get("next"))
        try:
            data = CodeLogin(phone=form.get("phone", ""), code=form.get("code", ""))
            tokens = await code_login(data, client_address(request), wiring.runtime.pool, wiring.accounts,
                                      wiring.clock, wiring.settings)
        except ValidationError:
            return render(request, "login.html", status=422, form=form, next=back_to, code_sent=True,
                          problems=Problems({"code": words.problem("form.invalid", "")}, []))
        except DomainError as error:
            return render(request, "login.html", status=422, form=form, next=back_to, code_sent=True,
                          problems=Problems.of(error, words, "code"))
        return self._signed_in(request, tokens, back_to, words, form)

    @staticmethod
    def _signed_in(request: Request[Any, Any, Any], tokens: dict[str, Any], back_to: str, words: Words,
                   form: dict[str, str]) -> Response[Any]:
        """Logged in: on to the page asked for, or first to the password change when it is due."""
        if tokens["user"]["must_change_password"]:
            back_to = f"{PREFIX}/password"
        return redirect(None, back_to, [session_cookie(request, tokens)])

    @post("/login/recovery")
    async def recovery(self, request: Request[Any, Any, Any]) -> Template:
        form = await _form(request)
        words, wiring = page_words(request), wiring_of(request)
        back_to = _safe_next(form.get("next"))
        try:
            await recover_password(Recovery(login=form.get("recovery_login", "")), client_address(request),
                                   wiring.runtime.pool, wiring.accounts, wiring.clock, wiring.settings)
        except ValidationError:
            return render(request, "login.html", status=422, form=form, next=back_to,
                          problems=Problems({"recovery_login": words.problem("form.required", "")}, []))
        except DomainError as error:
            return render(request, "login.html", status=422, form=form, next=back_to,
                          problems=Problems.of(error, words, "recovery_login"))
        return render(request, "login.html", form={}, next=back_to, recovery_sent=True)

    @get("/password")
    async def password_page(self, request: Request[Any, Any, Any]) -> Template:
        web = await signed_in(request, password_change=True)
        return render(request, "password.html", web, form={})

    @post("/password")
    async def change_password(self, request: Request[Any, Any, Any]) -> Response[Any]:
        web = await signed_in(request, password_change=True)
        form = await _form(request)
        wiring = web.wiring
        try:
            data = PasswordChange(current_password=form.get("current_password", ""),
                                  new_password=form.get("new_password", ""),
                                  contact_phone=form.get("contact_phone") or None)
            tokens = await change_password(data, web.caller, client_address(request), wiring.runtime.pool,
                                           wiring.accounts, wiring.clock, wiring.settings)
        except ValidationError as error:
            fields = {str(e["loc"][0]): web.words.problem("form.invalid", "") for e in error.errors()}
            return render(request, "password.html", web, status=422, form=form, problems=Problems(fields, []))
        except DomainError as error:
            field = "current_password" if error.code in ("auth.invalid_credentials", "password.current_wrong") else (
                "new_password" if error.code.startswith("password.") else None)
            return render(request, "password.html", web, status=422, form=form,
                          problems=Problems.of(error, web.words, field))
        return redirect(None, f"{PREFIX}/accounts", [session_cookie(request, tokens)])

    @post("/lang")
    async def language(self, request: Request[Any, Any, Any]) -> Redirect:
        form = await _form(request)
        lang = form.get("lang") if form.get("lang") in LANGUAGES else "ru"
        wiring = wiring_of(request)
        cookie = Cookie(key=LANG_COOKIE, value=lang, path=PREFIX, httponly=True, samesite="lax",
                        secure=wiring.settings.billing_env not in ("dev", "test"), max_age=365 * 24 * 3600)
        return redirect(None, _safe_next(form.get("next")), [cookie])

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        web = await signed_in(request)
        await revoke_session(web.wiring.runtime.pool, web.refresh_token, web.now)
        return redirect(None, f"{PREFIX}/login", [session_cookie(request, None)])

    # -- accounts -------------------------------------------------------------------------------
    @get("/accounts")
    async def accounts(self, request: Request[Any, Any, Any]) -> Response[Any]:
        web = await signed_in(request)
        caller = web.caller
        found = await my_accounts(web.wiring.runtime.pool, caller.visible_accounts, 50, 0,
                                  organization_id=caller.sees_organization)
        if len(found["items"]) == 1 and caller.role == "subscriber":
            return redirect(web, f"{PREFIX}/accounts/{found['items'][0]['account_id']}")
        return render(request, "accounts.html", web, accounts=found["items"])

    @get("/accounts/{account_id:str}")
    async def account(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        page = Page.of(request)
        read = await account_summary(page.reads, account, web.words.today, page.timezone.key,
                                     web.caller.session_id)
        summary = Page.admit(request, web.caller, account, read)
        return render(request, "account.html", web, a=summary, account_id=account,
                      bell=await _new_messages(web, account), done=request.query_params.get("done"))

    @get("/accounts/{account_id:str}/bell")
    async def bell(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        return render(request, "bell.html", web, account_id=account, bell=await _new_messages(web, account))

    @get("/accounts/{account_id:str}/payments")
    async def payments(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        query = {k: request.query_params.get(k, "") for k in ("from", "to")}
        problems, items = Problems.none(), []
        try:
            start, end = history_bounds(_day(query["from"], "from") if query["from"] else None,
                                        _day(query["to"], "to") if query["to"] else None,
                                        web.words.today, web.words.timezone)
            found = await payment_history(web.wiring.pages.pool, account, start=start, end=end,  # type: ignore[arg-type]
                                          limit=100, offset=0)
            items = found["items"]
        except DomainError as error:
            problems = Problems.of(error, web.words)
        return render(request, "payments.html", web, status=422 if problems else 200, account_id=account,
                      payments=items, query=query, problems=problems)

    @post("/accounts/{account_id:str}/top-ups")
    async def top_up(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            provider = form.get("provider") or "sandbox"
            if provider not in ("robokassa", "webhook", "sandbox"):
                raise ValidationFailed("form.invalid", "unknown provider", field="provider")
            reply = await web.commands("payments", 201).reply(
                "POST", f"/internal/v1/accounts/{account}/top-ups",
                {"amount": _amount(form.get("amount", ""), web.words), "provider": provider}, _key(form))
        except DomainError as error:
            return render(request, "payments.html", web, status=422, account_id=account, payments=[],
                          query={"from": "", "to": ""}, form=form, problems=Problems.of(error, web.words, "amount"))
        return redirect(web, str(reply.body["redirect_url"]))

    # -- promised payment -------------------------------------------------------------------------
    @get("/accounts/{account_id:str}/promised")
    async def promised(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        return await self._promised(request, web, await web.account(account_id), Problems.none(), {})

    async def _promised(self, request: Request[Any, Any, Any], web: Web, account: str, problems: Problems,
                        form: dict[str, str]) -> Template:
        offer = await web.wiring.payments.call("GET", f"/internal/v1/accounts/{account}/promised-payments/offer")
        history = await promised_payment_history(web.wiring.runtime.pool, account, 20, 0)
        return render(request, "promised.html", web, status=422 if problems else 200, account_id=account,
                      offer=offer, history=history, problems=problems, form=form)

    @post("/accounts/{account_id:str}/promised")
    async def take_promised(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            reply = await web.commands("payments", 201).reply(
                "POST", f"/internal/v1/accounts/{account}/promised-payments",
                {"amount": _amount(form.get("amount", ""), web.words)}, _key(form))
        except DomainError as error:
            return await self._promised(request, web, account, Problems.of(error, web.words, "amount"), form)
        await settle_status(reply, account, web.commands("accounts"))
        return redirect(web, f"{PREFIX}/accounts/{account}?done=taken")

    # -- voluntary blocks ---------------------------------------------------------------------------
    @get("/accounts/{account_id:str}/blocks")
    async def blocks(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        query = {k: request.query_params.get(k, "") for k in ("starts_on", "days")}
        return await self._blocks(request, web, account, query, Problems.none(), preview=bool(query["starts_on"]))

    async def _blocks(self, request: Request[Any, Any, Any], web: Web, account: str, form: dict[str, str],
                      problems: Problems, preview: bool = False) -> Template:
        found = await account_blocks(web.wiring.pages.pool, account, web.words.today,  # type: ignore[arg-type]
                                     web.words.timezone.key)
        if found is None:
            raise NotFound("account.not_found", f"account {account} not found")
        shown = None
        if preview and not problems:
            try:
                starts_on = _day(form.get("starts_on", ""), "starts_on")
                days = int(form.get("days", ""))
                if days < 1:
                    raise ValueError
            except (ValidationFailed, ValueError):
                problems = Problems({"days" if form.get("starts_on") else "starts_on":
                                     web.words.problem("form.invalid", "")}, [])
            else:
                # The end date as the accounts service reckons it (inclusive); the quota is per
                # calendar year of the first day (blocks_section's `available_by_year`).
                left = next((y["available"] for y in found["available_by_year"] if y["year"] == starts_on.year), 0)
                ends_on = starts_on + timedelta(days=days - 1)
                shown = {"starts_on": starts_on, "ends_on": ends_on, "resume": ends_on + timedelta(days=1),
                         "left": left, "year": starts_on.year, "days": days}
        return render(request, "blocks.html", web, status=422 if problems else 200, account_id=account,
                      blocks=found, form=form, problems=problems, preview=shown, done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/blocks")
    async def schedule_block(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            starts_on = _day(form.get("starts_on", ""), "starts_on")
            if not form.get("days", "").isdigit():
                raise ValidationFailed("form.invalid", "days is not a number", field="days")
            await web.commands("accounts", 201).reply(
                "POST", f"/internal/v1/accounts/{account}/blocks",
                {"starts_on": starts_on.isoformat(), "days": int(form["days"])}, _key(form))
        except DomainError as error:
            return await self._blocks(request, web, account, form, Problems.of(error, web.words))
        return redirect(web, f"{PREFIX}/accounts/{account}/blocks?done=block_scheduled")

    @post("/accounts/{account_id:str}/blocks/{block_id:str}/{action:str}")
    async def change_block(self, request: Request[Any, Any, Any], account_id: str, block_id: str,
                           action: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        if action not in ("cancel", "lift") or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", block_id):
            raise NotFound("block.not_found", f"block {block_id} not found")
        try:
            await web.commands("accounts").reply(
                "POST", f"/internal/v1/accounts/{account}/blocks/{block_id}/{action}", key=_key(form))
        except DomainError as error:
            return await self._blocks(request, web, account, {}, Problems.of(error, web.words, "blocks"))
        return redirect(web, f"{PREFIX}/accounts/{account}/blocks?done=done")

    # -- autopay ----------------------------------------------------------------------------------
    @get("/accounts/{account_id:str}/autopay")
    async def autopay(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        return render(request, "autopay.html", web, account_id=account, form={},
                      autopay=await autopay_settings(web.wiring.runtime.pool, account))

    @post("/accounts/{account_id:str}/autopay")
    async def change_autopay(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        path = f"/internal/v1/accounts/{account}/autopay"
        try:
            if form.get("action") == "disable":
                await web.commands("payments").reply("DELETE", path, key=_key(form))
            else:
                provider = form.get("provider") or "sandbox"
                if provider not in ("webhook", "sandbox"):
                    raise ValidationFailed("form.invalid", "unknown provider", field="provider")
                token = form.get("method_token", "")
                if not re.fullmatch(r"[\x21-\x7e]{8,256}", token):
                    raise ValidationFailed("form.invalid", "the token is not valid", field="method_token")
                cap = _amount(form["cap"], web.words) if form.get("cap") else None
                await web.commands("payments").reply("PUT", path, {"provider": provider, "method_token": token,
                                                                   "cap": cap}, _key(form))
        except DomainError as error:
            return render(request, "autopay.html", web, status=422, account_id=account, form=form,
                          autopay=await autopay_settings(web.wiring.runtime.pool, account),
                          problems=Problems.of(error, web.words, "cap" if error.code == "form.invalid"
                                               and error.extra.get("field") == "amount" else None))
        return redirect(web, f"{PREFIX}/accounts/{account}/autopay")

    # -- messages, guarantees ---------------------------------------------------------------------
    @get("/accounts/{account_id:str}/messages")
    async def messages(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        listed = await message_list(web.wiring.runtime.pool, account, status=None, limit=50, offset=0)
        seen = _seen(request)
        if listed["items"]:
            seen[account] = max(m["queued_at"] or "" for m in listed["items"])
        cookie = Cookie(key=SEEN_COOKIE, value=json.dumps(seen, separators=(",", ":")), path=PREFIX,
                        httponly=True, samesite="lax", secure=web.wiring.settings.billing_env not in ("dev", "test"))
        return render(request, "messages.html", web, cookies=[cookie], account_id=account, messages=listed["items"])

    @get("/accounts/{account_id:str}/guarantees")
    async def guarantees(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        return await self._guarantees(request, web, await web.account(account_id), {}, Problems.none())

    async def _guarantees(self, request: Request[Any, Any, Any], web: Web, account: str, form: dict[str, str],
                          problems: Problems) -> Template:
        found = await guarantee_history(web.wiring.runtime.pool, account,
                                        previous_month_start(web.now, web.words.timezone))
        return render(request, "guarantees.html", web, status=422 if problems else 200, account_id=account,
                      guarantees=found["items"], form=form, problems=problems)

    @post("/accounts/{account_id:str}/guarantees")
    async def register_guarantee(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        if web.caller.role not in ("org_admin", "operator"):  # the API route's `only`
            raise Forbidden("guarantee.org_admin_only", "payment guarantees are registered by the organization's admin")
        form = await _form(request)
        try:
            body = {"amount": _amount(form.get("amount", ""), web.words),
                    "pay_by": _day(form.get("pay_by", ""), "pay_by").isoformat(),
                    "invoice_ref": form.get("invoice_ref") or None}
            await web.commands("payments", 201).reply("POST", f"/internal/v1/accounts/{account}/guarantees", body,
                                                      _key(form))
        except DomainError as error:
            return await self._guarantees(request, web, account, form, Problems.of(error, web.words))
        return redirect(web, f"{PREFIX}/accounts/{account}/guarantees")

    # -- profile --------------------------------------------------------------------------------
    @get("/profile")
    async def profile(self, request: Request[Any, Any, Any]) -> Template:
        web = await signed_in(request)
        found = await user_profile(web.wiring.runtime.pool, web.caller.user_id)
        return render(request, "profile.html", web, profile=found or {}, form=found or {},
                      done=request.query_params.get("done"))

    @post("/profile")
    async def change_profile(self, request: Request[Any, Any, Any]) -> Response[Any]:
        web = await signed_in(request)
        form = await _form(request)
        found = await user_profile(web.wiring.runtime.pool, web.caller.user_id) or {}
        fields = ("full_name", "contact_phone", "sms_phone", "email", "address")
        changed = {f: form.get(f) or None for f in fields if (form.get(f) or None) != found.get(f)}
        if changed:
            try:
                await web.commands("accounts").reply("PATCH", f"/internal/v1/users/{web.caller.user_id}/profile",
                                                     changed, _key(form))
            except DomainError as error:
                return render(request, "profile.html", web, status=422, profile=found, form=form,
                              problems=Problems.of(error, web.words, error.extra.get("field")))
        return redirect(web, f"{PREFIX}/profile?done=1")

    @post("/profile/sms-phone/code")
    async def sms_phone_code(self, request: Request[Any, Any, Any]) -> Template:
        web = await signed_in(request)
        wiring = web.wiring
        found = await user_profile(wiring.runtime.pool, web.caller.user_id) or {}
        try:
            sent = await send_sms_phone_code(web.caller, wiring.runtime.pool, wiring.accounts, wiring.clock,
                                             wiring.settings)
        except DomainError as error:
            return render(request, "profile.html", web, status=422, profile=found, form=found,
                          problems=Problems.of(error, web.words, "sms_phone"))
        return render(request, "profile.html", web, profile=found, form=found, code_sent=bool(sent.get("sent")))

    @post("/profile/sms-phone/confirm")
    async def sms_phone_confirm(self, request: Request[Any, Any, Any]) -> Response[Any]:
        web = await signed_in(request)
        wiring = web.wiring
        form = await _form(request)
        found = await user_profile(wiring.runtime.pool, web.caller.user_id) or {}
        try:
            await confirm_sms_phone(CodeConfirmation(code=form.get("code", "")), web.caller, wiring.runtime.pool,
                                    web.commands("accounts"), wiring.clock, wiring.settings)
        except ValidationError:
            return render(request, "profile.html", web, status=422, profile=found, form=found, code_sent=True,
                          problems=Problems({"code": web.words.problem("form.invalid", "")}, []))
        except DomainError as error:
            return render(request, "profile.html", web, status=422, profile=found, form=found, code_sent=True,
                          problems=Problems.of(error, web.words, "code"))
        return redirect(web, f"{PREFIX}/profile?done=1")

    # -- the organization's subscribers ----------------------------------------------------------
    def _organization(self, web: Web) -> str:
        if web.caller.role != "org_admin" or web.caller.organization_id is None:
            raise NotFound("organization.not_found", "no organization to show")
        return web.caller.organization_id

    @get("/business/subscribers")
    async def subscribers(self, request: Request[Any, Any, Any]) -> Template:
        web = await signed_in(request)
        return await self._subscribers(request, web, request.query_params.get("number", ""), Problems.none())

    async def _subscribers(self, request: Request[Any, Any, Any], web: Web, number: str, problems: Problems,
                           renamed: int | None = None, form: dict[str, str] | None = None,
                           chosen: list[str] | None = None) -> Template:
        organization = self._organization(web)
        items: list[dict[str, Any]] = []
        if number and not re.fullmatch(r"\+?[0-9%_]{1,20}", number):
            problems = Problems({"number": web.words.problem("form.invalid", "")}, [])
        else:
            found = await organization_subscribers(web.wiring.runtime.pool, organization,
                                                   number=number.lstrip("+") or None, account_id=None,
                                                   limit=200, offset=0)
            items = found["items"]
        done = request.query_params.get("renamed")
        bulk = request.query_params.get("bulk")
        return render(request, "subscribers.html", web, status=422 if problems else 200, number=number,
                      subscribers=items, problems=problems, chosen=set(chosen or []),
                      add_ons=await _self_service_add_ons(web, items),
                      form=form or {}, bulk=int(bulk) if bulk and bulk.isdigit() else None,
                      bulk_action=request.query_params.get("action"),
                      renamed=renamed if renamed is not None else (int(done) if done and done.isdigit() else None))

    @post("/business/subscribers/rename")
    async def rename(self, request: Request[Any, Any, Any]) -> Response[Any]:
        web = await signed_in(request)
        organization = self._organization(web)
        form = await _form(request)
        number = form.get("number", "")
        try:
            if form.get("list"):
                rows = [line.split(";", 2) for line in form["list"].splitlines() if line.strip()]
                items = [RenameItem(account_id=r[0].strip(), line_id=r[1].strip(), subscriber_name=r[2].strip())
                         for r in rows if len(r) == 3]
                if len(items) != len(rows):
                    raise ValidationFailed("form.invalid", "a line is not account;line;name", field="list")
            else:
                items = [RenameItem(account_id=form.get("account_id", ""), line_id=form.get("line_id", ""),
                                    subscriber_name=form.get("subscriber_name", ""))]
            reply = await rename_subscribers(organization, Renames(items=items), web.caller,
                                             web.wiring.runtime.pool, web.commands("accounts"), _key(form))
        except ValidationError:
            field = "list" if form.get("list") else f"name-{form.get('line_id', '')}"
            return await self._subscribers(request, web, number,
                                           Problems({field: web.words.problem("form.invalid", "")}, []))
        except DomainError as error:
            return await self._subscribers(request, web, number, Problems.of(error, web.words))
        refused = [r for r in reply.body.get("renamed", []) if r.get("error")]
        if refused:
            text = ", ".join(f"{r['line_id']}: {web.words.problem(r['error'], r['error'])}" for r in refused)
            return await self._subscribers(request, web, number, Problems({}, [text]))
        query = urlencode({"number": number, "renamed": len(reply.body.get("renamed", []))})
        return redirect(web, f"{PREFIX}/business/subscribers?{query}")

    @post("/business/subscribers/add-ons")
    async def bulk_add_ons(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """One add-on action over the subscribers ticked in the list (entrypoints/add_ons.py's
        `bulk_add_ons`): all or nothing; a refusal names every refused line beside the list."""
        web = await signed_in(request)
        organization = self._organization(web)
        form = await _form(request)
        # One field per ticked line (`line-<n>`): htmx sends one value per name of a boosted form.
        chosen = [v for k, v in form.items() if re.fullmatch(r"line-[0-9]{1,4}", k)]
        number = form.get("number", "")
        try:
            if not chosen:
                raise ValidationFailed("form.required", "choose subscribers", field="lines")
            items = [BulkLine(account_id=c.split(";", 1)[0], line_id=c.split(";", 1)[-1]) for c in chosen]
            data = BulkAction(action=form.get("action", ""), service_id=form.get("service_id", ""),
                              items=items)
            reply = await bulk_add_ons(organization, data, web.caller, web.wiring.runtime.pool,
                                       web.commands("accounts"), _key(form))
        except ValidationError as error:
            fields = {"action": "action", "service_id": "service_id"}
            problems = Problems({fields.get(str(e["loc"][0]) if e["loc"] else "", "lines"):
                                 web.words.problem("form.invalid", "") for e in error.errors()}, [])
            return await self._subscribers(request, web, number, problems, form=form, chosen=chosen)
        except DomainError as error:
            return await self._subscribers(request, web, number, _bulk_refusal(error, web.words), form=form,
                                           chosen=chosen)
        query = urlencode({"number": number, "bulk": reply.body.get("lines", 0), "action": data.action})
        return redirect(web, f"{PREFIX}/business/subscribers?{query}")

    # -- charges and invoices (the invoicing service, as entrypoints/invoicing.py asks it) ------------
    @get("/accounts/{account_id:str}/charges")
    async def charges(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        periods = _months(web.words.today, range(3))
        period = request.query_params.get("period") or periods[0]
        if period not in periods:  # as the invoicing service refuses it, beside the month's field
            return render(request, "charges.html", web, status=422, account_id=account, charges=None,
                          periods=periods, period=period, problems=Problems(
                              {"period": web.words.problem("charges.period_out_of_range", "")}, []))
        found = await web.wiring.invoicing.call("GET", f"/internal/v1/accounts/{account}/charges",
                                                params={"period": period})
        return render(request, "charges.html", web, account_id=account, charges=found, periods=periods,
                      period=period)

    @get("/accounts/{account_id:str}/charges/history")
    async def charges_history(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        query = {k: request.query_params.get(k, "") for k in ("from", "to")}
        offset = _offset(request)
        params: dict[str, Any] = {"limit": PAGE_SIZE, "offset": offset}
        problems = Problems.none()
        found: dict[str, Any] = {"items": [], "total": 0}
        try:
            for name in ("from", "to"):
                if query[name]:
                    params[name] = _day(query[name], name).isoformat()
            found = await web.wiring.invoicing.call("GET", f"/internal/v1/accounts/{account}/charges/history",
                                                    params=params)
        except DomainError as error:
            problems = Problems.of(error, web.words)
        return render(request, "charges_history.html", web, status=422 if problems else 200, account_id=account,
                      history=found, query=query, offset=offset, limit=PAGE_SIZE, problems=problems,
                      pages=_pages(offset, int(found.get("total", 0)), query))

    @get("/accounts/{account_id:str}/invoices")
    async def invoices(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        return await self._invoices(request, web, account, {}, Problems.none())

    async def _invoices(self, request: Request[Any, Any, Any], web: Web, account: str, form: dict[str, str],
                        problems: Problems) -> Template:
        invoicing = web.wiring.invoicing
        periods = _months(web.words.today, range(1, 3))
        found = await invoicing.call("GET", f"/internal/v1/accounts/{account}/invoices")
        delivery = await invoicing.call("GET", f"/internal/v1/accounts/{account}/invoice-delivery")
        shown = [i for i in found["invoices"] if i["period"] in periods]
        return render(request, "invoices.html", web, status=422 if problems else 200, account_id=account,
                      invoices=shown, periods=periods, orders_open=web.words.today.day > WINDOW_LAST_DAY,
                      delivery=delivery, form=form or {"method": delivery["method"], "format": delivery["format"],
                                                       "addresses": delivery["address_text"]},
                      problems=problems, done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/invoices/{period:str}/documents")
    async def order_document(self, request: Request[Any, Any, Any], account_id: str, period: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            if not re.fullmatch(PERIOD_PATTERN, period) or form.get("format") not in ("pdf", "xlsx", "xlsx_split"):
                raise ValidationFailed("form.invalid", "no such invoice document", field=f"order-{period}")
            await web.wiring.invoicing.call("POST", f"/internal/v1/accounts/{account}/invoice-orders",
                                            json={"period": period, "format": form["format"]},
                                            actor=web.caller.actor)
        except DomainError as error:
            return await self._invoices(request, web, account, {}, Problems.of(error, web.words,
                                                                               f"order-{period}"))
        return redirect(web, f"{PREFIX}/accounts/{account}/invoices?done=ordered")

    @get("/accounts/{account_id:str}/invoices/{period:str}/documents/{document_format:str}")
    async def download(self, request: Request[Any, Any, Any], account_id: str, period: str,
                       document_format: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        if not re.fullmatch(PERIOD_PATTERN, period) or document_format not in ("pdf", "xlsx", "xlsx_split"):
            raise NotFound("invoice.not_found", "no such invoice document")
        found = await web.wiring.invoicing.file(
            f"/internal/v1/accounts/{account}/invoices/{period}/documents/{document_format}", actor=web.caller.actor)
        headers = {**SECURITY_HEADERS, **({"content-disposition": found.disposition} if found.disposition else {})}
        return Response(found.content, media_type=found.media_type, headers=headers, cookies=web.cookies)

    @post("/accounts/{account_id:str}/invoice-delivery")
    async def change_delivery(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            if form.get("method") not in ("email", "self"):
                raise ValidationFailed("form.invalid", "choose how invoices are delivered", field="method")
            if form.get("format", "pdf") not in ("pdf", "xlsx"):
                raise ValidationFailed("form.invalid", "pdf or xlsx", field="format")
            body = {"method": form["method"], "format": form.get("format", "pdf"),
                    "addresses": form.get("addresses") or None}
            await web.wiring.invoicing.call("PUT", f"/internal/v1/accounts/{account}/invoice-delivery",
                                            json={k: v for k, v in body.items() if v is not None},
                                            actor=web.caller.actor)
        except DomainError as error:
            return await self._invoices(request, web, account, form, Problems.of(error, web.words))
        return redirect(web, f"{PREFIX}/accounts/{account}/invoices?done=delivery")

    # -- telephony (the telephony service, as entrypoints/telephony.py asks it) ---------------------
    @get("/accounts/{account_id:str}/telephony")
    async def telephony(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        cards = await web.wiring.telephony.call("GET", f"/internal/v1/accounts/{account}/lines")
        return render(request, "telephony.html", web, account_id=account, cards=cards)

    @get("/accounts/{account_id:str}/lines/{line_id:str}/calls")
    async def calls(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        line = _line_id(line_id)
        query = {"period": request.query_params.get("period") or "current",
                 "direction": request.query_params.get("direction") or "both"}
        if not re.fullmatch(r"current|[0-9]{4}-[0-9]{2}", query["period"]) or query["direction"] not in (
                "out", "in", "both"):
            raise NotFound("calls.not_found", "no such call detail")
        offset = _offset(request)
        found = await web.wiring.telephony.call("GET", f"/internal/v1/accounts/{account}/lines/{line}/calls",
                                                params={**query, "limit": PAGE_SIZE, "offset": offset})
        return render(request, "calls.html", web, account_id=account, line_id=line, detail=found, query=query,
                      offset=offset, limit=PAGE_SIZE, pages=_pages(offset, int(found["total"]), query))

    @get("/accounts/{account_id:str}/lines/{line_id:str}/channels")
    async def channels(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        return await self._channels(request, web, account, _line_id(line_id), {}, Problems.none())

    async def _channels(self, request: Request[Any, Any, Any], web: Web, account: str, line: str,
                        form: dict[str, str], problems: Problems, review: dict[str, Any] | None = None) -> Template:
        found = await web.wiring.telephony.call("GET", f"/internal/v1/accounts/{account}/lines/{line}/channels")
        return render(request, "channels.html", web, status=422 if problems else 200, account_id=account,
                      line_id=line, channels=found, form=form, problems=problems, review=review,
                      done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/lines/{line_id:str}/channels/review")
    async def review_channels(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        line = _line_id(line_id)
        form = await _form(request)
        try:
            review = await web.wiring.telephony.call(
                "POST", f"/internal/v1/accounts/{account}/lines/{line}/channels/review",
                json={"channels": _channel_count(form)})
        except DomainError as error:
            return await self._channels(request, web, account, line, form, Problems.of(error, web.words, "channels"))
        return await self._channels(request, web, account, line, form, Problems.none(), review)

    @post("/accounts/{account_id:str}/lines/{line_id:str}/channels")
    async def change_channels(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        line = _line_id(line_id)
        form = await _form(request)
        try:
            await web.wiring.telephony.send("POST", f"/internal/v1/accounts/{account}/lines/{line}/channels",
                                            json={"channels": _channel_count(form)}, actor=web.caller.actor,
                                            idempotency_key=_key(form))
        except DomainError as error:
            return await self._channels(request, web, account, line, form, Problems.of(error, web.words, "channels"))
        return redirect(web, f"{PREFIX}/accounts/{account}/lines/{line}/channels?done=changed")

    @get("/accounts/{account_id:str}/lines/{line_id:str}/sip")
    async def sip(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        return await self._sip(request, web, account, _line_id(line_id), Problems.none())

    async def _sip(self, request: Request[Any, Any, Any], web: Web, account: str, line: str, problems: Problems,
                   generated: str | None = None, changed: bool = False) -> Template:
        found = await web.wiring.telephony.call("GET", f"/internal/v1/accounts/{account}/lines/{line}/sip-settings")
        return render(request, "sip.html", web, status=422 if problems else 200, account_id=account, line_id=line,
                      sip=found, problems=problems, generated=generated, changed=changed)

    @post("/accounts/{account_id:str}/lines/{line_id:str}/sip")
    async def change_sip_password(self, request: Request[Any, Any, Any], account_id: str,
                                  line_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        line = _line_id(line_id)
        form = await _form(request)
        password = form.get("password", "")
        try:
            if password and not re.fullmatch(r"[\x21-\x7e]{8,64}", password):
                raise ValidationFailed("sip.password_invalid", "8 to 64 printable characters, no spaces",
                                       field="password")
            reply = await web.wiring.telephony.send(
                "POST", f"/internal/v1/accounts/{account}/lines/{line}/sip-password",
                json={"password": password} if password else {}, actor=web.caller.actor)
        except DomainError as error:
            return await self._sip(request, web, account, line, Problems.of(error, web.words, "password"))
        # A generated password is shown this once (the service keeps only its digest): no redirect.
        return await self._sip(request, web, account, line, Problems.none(),
                               generated=reply.body.get("generated_password"), changed=True)


PAGE_SIZE = 20


async def _self_service_add_ons(web: Web, subscribers: list[dict[str, Any]]) -> list[str]:
    """The add-ons the found subscribers' kinds of line may take in self-service (the accounts
    service's catalogue decides; the action itself is judged line by line there)."""
    kinds = sorted({s["kind"] for s in subscribers})
    if not kinds:
        return []
    found: set[str] = set()
    for kind in kinds:
        catalogue = await web.wiring.accounts.call("GET", "/internal/v1/tariffs", params={"kind": kind})
        found.update(a for t in catalogue["tariffs"] for a in t.get("self_service_add_ons", []))
    return sorted(found)


def _bulk_refusal(error: DomainError, words: Words) -> Problems:
    """All or nothing: every refused line named, with its reason, beside the list."""
    refused = error.extra.get("refused") or []
    if error.code == "add_on.bulk_refused" and refused:
        text = "; ".join(f"{r.get('line_id')}: {words.problem(str(r.get('error')), str(r.get('error')))}"
                         for r in refused)
        return Problems({"lines": f"{words.problem(error.code, error.detail)} {text}"}, [])
    where = error.extra.get("field") or ("lines" if error.code == "line.not_found" else "service_id")
    return Problems.of(error, words, str(where))


def _months(today: date, back: range) -> list[str]:
    """The cabinet's months as entrypoints/invoicing.py lists them: YYYY-MM, newest first."""
    return [f"{add_months(month_start(today), -n):%Y-%m}" for n in back]


def _offset(request: Request[Any, Any, Any]) -> int:
    text = request.query_params.get("offset", "0")
    return min(int(text), 100_000) if text.isdigit() else 0


def _pages(offset: int, total: int, query: dict[str, str]) -> dict[str, str | None]:
    """The previous and next pages' query strings (None at either end)."""
    kept = {k: v for k, v in query.items() if v}
    return {"previous": urlencode({**kept, "offset": max(offset - PAGE_SIZE, 0)}) if offset > 0 else None,
            "next": urlencode({**kept, "offset": offset + PAGE_SIZE}) if offset + PAGE_SIZE < total else None}


def _line_id(line_id: str) -> str:
    if not re.search(ID_PATTERN, line_id):
        raise NotFound("line.not_found", f"line {line_id} not found")
    return line_id


def _channel_count(form: dict[str, str]) -> int:
    text = form.get("channels", "")
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise ValidationFailed("form.invalid", "choose a package", field="channels")
    return int(text)


TOPICS = ("internet", "tv", "telephony", "payments", "documents", "other")


class SupportPages(Controller):
    """Support requests (seed 000 «Заявки», seeds 003/004 «Обратная связь»), as entrypoints/support.py
    asks the accounts service: the list and a new request, one request's thread and a message to it."""

    path = PREFIX
    include_in_schema = False

    @get("/accounts/{account_id:str}/support")
    async def support(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        return await self._support(request, web, await web.account(account_id), {}, Problems.none())

    async def _support(self, request: Request[Any, Any, Any], web: Web, account: str, form: dict[str, str],
                       problems: Problems) -> Template:
        offset = _offset(request)
        found = await web.wiring.accounts.call("GET", f"/internal/v1/accounts/{account}/support-requests",
                                               params={"limit": PAGE_SIZE, "offset": offset})
        return render(request, "support.html", web, status=422 if problems else 200, account_id=account,
                      requests=found, topics=TOPICS, form=form, problems=problems, offset=offset,
                      pages=_pages(offset, int(found.get("total", 0)), {}))

    @post("/accounts/{account_id:str}/support")
    async def file_request(self, request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        form = await _form(request)
        try:
            if form.get("topic") not in TOPICS:
                raise ValidationFailed("form.invalid", "choose a topic", field="topic")
            for name, longest in (("title", 200), ("text", 4000)):
                if not 1 <= len(form.get(name, "")) <= longest:
                    raise ValidationFailed("form.required", f"{name}: 1 to {longest} characters", field=name)
            reply = await web.commands("accounts", 201).reply(
                "POST", f"/internal/v1/accounts/{account}/support-requests",
                {"topic": form["topic"], "title": form["title"], "text": form["text"], "user_id": web.caller.user_id},
                _key(form))
        except DomainError as error:
            return await self._support(request, web, account, form, Problems.of(error, web.words))
        return redirect(web, f"{PREFIX}/accounts/{account}/support/{reply.body['request_id']}")

    @get("/accounts/{account_id:str}/support/{request_id:str}")
    async def support_thread(self, request: Request[Any, Any, Any], account_id: str, request_id: str) -> Template:
        web = await signed_in(request)
        return await self._thread(request, web, await web.account(account_id), _request_id(request_id),
                                  Problems.none())

    async def _thread(self, request: Request[Any, Any, Any], web: Web, account: str, request_id: str,
                      problems: Problems) -> Template:
        found = await web.wiring.accounts.call("GET", f"/internal/v1/accounts/{account}/support-requests/{request_id}")
        return render(request, "support_thread.html", web, status=422 if problems else 200, account_id=account,
                      thread=found, problems=problems)

    @post("/accounts/{account_id:str}/support/{request_id:str}")
    async def support_message(self, request: Request[Any, Any, Any], account_id: str,
                              request_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        found = _request_id(request_id)
        form = await _form(request)
        try:
            if not 1 <= len(form.get("text", "")) <= 4000:
                raise ValidationFailed("form.required", "text: 1 to 4000 characters", field="text")
            await web.commands("accounts").reply(
                "POST", f"/internal/v1/accounts/{account}/support-requests/{found}/messages",
                {"text": form["text"], "user_id": web.caller.user_id, "operator": web.caller.role == "operator"},
                _key(form))
        except DomainError as error:
            return await self._thread(request, web, account, found, Problems.of(error, web.words, "text"))
        return redirect(web, f"{PREFIX}/accounts/{account}/support/{found}")


def _request_id(request_id: str) -> str:
    if not re.search(ID_PATTERN, request_id):
        raise NotFound("support_request.not_found", f"support request {request_id} not found")
    return request_id


class AccountExtrasPages(Controller):
    """A line's add-ons (connect and disconnect where its tariff allows, as entrypoints/add_ons.py asks
    the accounts service) and the client's requisites (entrypoints/cabinet.py's read)."""

    path = PREFIX
    include_in_schema = False

    @get("/accounts/{account_id:str}/lines/{line_id:str}/add-ons")
    async def add_ons(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Template:
        web = await signed_in(request)
        return await self._add_ons(request, web, await web.account(account_id), _line_id(line_id), Problems.none())

    async def _add_ons(self, request: Request[Any, Any, Any], web: Web, account: str, line: str,
                       problems: Problems) -> Template:
        found = await web.wiring.accounts.call("GET", f"/internal/v1/accounts/{account}/lines/{line}/add-ons/options")
        return render(request, "add_ons.html", web, status=422 if problems else 200, account_id=account,
                      line_id=line, options=found, problems=problems, done=request.query_params.get("done"))

    @post("/accounts/{account_id:str}/lines/{line_id:str}/add-ons")
    async def switch_add_on(self, request: Request[Any, Any, Any], account_id: str, line_id: str) -> Response[Any]:
        web = await signed_in(request)
        account = await web.account(account_id)
        line = _line_id(line_id)
        form = await _form(request)
        try:
            if form.get("action") not in ("connect", "disconnect") or not re.search(ID_PATTERN,
                                                                                    form.get("service_id", "")):
                raise ValidationFailed("form.invalid", "choose an add-on and what to do with it")
            await web.commands("accounts").reply(
                "POST", f"/internal/v1/accounts/{account}/lines/{line}/add-ons/self-service",
                {"service_id": form["service_id"], "action": form["action"]}, _key(form))
        except DomainError as error:
            return await self._add_ons(request, web, account, line, Problems.of(error, web.words, "add_ons"))
        return redirect(web, f"{PREFIX}/accounts/{account}/lines/{line}/add-ons?done={form['action']}")

    @get("/accounts/{account_id:str}/requisites")
    async def requisites(self, request: Request[Any, Any, Any], account_id: str) -> Template:
        web = await signed_in(request)
        account = await web.account(account_id)
        found = await client_requisites(web.wiring.runtime.pool, account)
        if found is None:
            raise NotFound("account.not_found", f"account {account} not found")
        return render(request, "requisites.html", web, account_id=account, r=found)
