"""Public routes of the payments service: providers' callbacks and the sandbox's pay page.

No internal token here (providers cannot present one): every callback is verified by its
provider's signature before anything else happens; a refused one is logged (never with its
signature) and registers nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from litestar import Controller, MediaType, Request, Response, get, post, route
from litestar.params import Parameter

from services.payments.adapters.providers import Providers
from services.payments.adapters.providers.hmac_webhook import SIGNATURE_HEADER
from services.payments.adapters.providers.sandbox import CALLBACK_PATH, PAGE_PATH
from services.payments.application.context import Payments
from services.payments.application.top_ups import complete_top_up, find_top_up, refuse_callback
from services.payments.domain.providers import CallbackRefused, ProviderPayment
from shared.errors import NotFound
from shared.http import command_metadata

__all__ = ["ProviderCallbacksController"]

T = TypeVar("T")


def _verified(provider: str, verify: Callable[[], T]) -> T:
    try:
        return verify()
    except CallbackRefused as refusal:
        raise refuse_callback(provider, refusal) from None


async def _register(payments: Payments, paid: ProviderPayment) -> dict[str, Any]:
    result = await complete_top_up(payments, paid, command_metadata(f"provider:{paid.provider}"))
    return {**result.body, "stream_id": result.stream_id, "stream_version": result.stream_version}


async def _params(request: Request[Any, Any, Any]) -> dict[str, str]:
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    if request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


class ProviderCallbacksController(Controller):
    path = "/public/v1"
    include_in_schema = False

    @route("/providers/robokassa/result", http_method=["GET", "POST"], status_code=200)
    async def robokassa_result(self, request: Request[Any, Any, Any], payments: Payments,
                               providers: Providers) -> Response[str]:
        provider = providers.robokassa
        if provider is None:
            raise NotFound("top_up.provider_unavailable", "robokassa is not enabled")
        params = await _params(request)
        paid = _verified("robokassa", lambda: provider.verify_result(params))
        await _register(payments, paid)
        return Response(provider.answer(paid), media_type=MediaType.TEXT)

    @post("/providers/uniteller/notification", status_code=200, media_type=MediaType.TEXT)
    async def uniteller_notification(self, request: Request[Any, Any, Any], payments: Payments,
                                     providers: Providers) -> str:
        provider = providers.uniteller
        if provider is None:
            raise NotFound("top_up.provider_unavailable", "uniteller is not enabled")
        params = await _params(request)
        paid = _verified("uniteller", lambda: provider.verify_notification(params))
        if paid is not None:
            await _register(payments, paid)
        return "OK"

    @post("/providers/webhook/callback", status_code=200)
    async def webhook(self, request: Request[Any, Any, Any], payments: Payments,
                      providers: Providers) -> dict[str, Any]:
        provider = providers.webhook
        if provider is None:
            raise NotFound("top_up.provider_unavailable", "the webhook provider is not enabled")
        body = await request.body()
        paid = _verified("webhook", lambda: provider.verify(body, request.headers.get(SIGNATURE_HEADER)))
        if paid is None:
            return {"status": "ignored"}
        return {"status": "registered", **await _register(payments, paid)}

    @get(f"{PAGE_PATH.removeprefix('/public/v1')}/{{invoice_id:int}}", media_type=MediaType.HTML)
    async def sandbox_page(
        self, invoice_id: Annotated[int, Parameter(ge=1, le=2**62)], payments: Payments, providers: Providers
    ) -> str:
        provider = providers.sandbox
        top_up = await find_top_up(payments, invoice_id)
        if provider is None or top_up is None or top_up.provider != "sandbox":
            raise NotFound("top_up.unknown_invoice", f"no sandbox top-up {invoice_id}")
        return provider.page(top_up)

    @post(CALLBACK_PATH.removeprefix("/public/v1"), status_code=200, media_type=MediaType.HTML)
    async def sandbox_callback(self, request: Request[Any, Any, Any], payments: Payments,
                               providers: Providers) -> str:
        provider = providers.sandbox
        if provider is None:
            raise NotFound("top_up.provider_unavailable", "the sandbox provider is not enabled")
        form = await _params(request)
        paid = _verified("sandbox", lambda: provider.verify(form))
        registered = await _register(payments, paid)
        account_id = registered.get("account_id")
        return provider.paid_page(paid, account_id if isinstance(account_id, str) else None)
