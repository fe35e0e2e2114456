"""A generic provider speaking signed JSON: its hosted checkout page, its webhook, and charges of
saved payment methods through its API (autopay).

Webhook: `POST` with a JSON body `{"type": "payment.succeeded", "invoice_id": "100001",
"payment_id": "pay_81hQ", "amount": "150.00"}` and the header `X-Signature: sha256=<hex>`, the
HMAC-SHA256 of the raw body under the shared secret. Other types are acknowledged and ignored.
Charge API: `POST <charge_url>` with `{"method_token", "amount"}`, the same signature header and
an `Idempotency-Key`; it answers `{"status": "succeeded"|"failed", "payment_id", "reason"}` and,
optionally, the `"amount"` it charged: a repeated key answers the first charge, whatever amount the
repeat asked, so what it reports is what we record.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import httpx

from services.payments.adapters.providers.base import callback_amount, hmac_sha256, invoice_number, same_signature
from services.payments.domain.providers import CallbackRefused, ChargeResult, ProviderPayment, TopUp
from shared.money import round_money

__all__ = ["SIGNATURE_HEADER", "HmacWebhook"]

SIGNATURE_HEADER = "x-signature"


class HmacWebhook:
    name = "webhook"

    def __init__(self, secret: str, checkout_base_url: str, charge_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._secret = secret
        self._checkout = checkout_base_url
        self._charge_url = charge_url
        self._transport = transport

    @property
    def charges_saved_methods(self) -> bool:
        return self._charge_url is not None

    def checkout_url(self, top_up: TopUp) -> str:
        query = {"invoice_id": top_up.invoice_id, "amount": f"{top_up.amount:.2f}", "account": top_up.account_id}
        return f"{self._checkout}?{urlencode(query)}"

    def sign(self, body: bytes) -> str:
        return f"sha256={hmac_sha256(self._secret, body)}"

    def verify(self, body: bytes, signature: str | None) -> ProviderPayment | None:
        """The payment a succeeded-payment webhook reports, None for other types; refuses a bad one."""
        if not signature or not same_signature(self.sign(body), signature):
            raise CallbackRefused("top_up.bad_signature", "the signature does not match", status=403)
        try:
            message = json.loads(body)
            kind = str(message["type"])
            if kind != "payment.succeeded":
                return None
            invoice, payment_id, amount = str(message["invoice_id"]), str(message["payment_id"]), message["amount"]
        except (ValueError, KeyError, TypeError):
            raise CallbackRefused("top_up.malformed_callback", "the webhook body is not a payment") from None
        if not isinstance(amount, str) or not 0 < len(payment_id) <= 128:
            raise CallbackRefused("top_up.malformed_callback", "amount must be a string, payment_id 1-128 chars")
        return ProviderPayment(self.name, invoice_number(invoice), payment_id, callback_amount(amount))

    async def charge(self, token: str, amount: Decimal, idempotency_key: str) -> ChargeResult:
        if self._charge_url is None:
            return ChargeResult(False, reason="provider_cannot_charge_saved_methods")
        body = json.dumps({"method_token": token, "amount": f"{amount:.2f}"}).encode()
        headers = {"content-type": "application/json", SIGNATURE_HEADER: self.sign(body),
                   "idempotency-key": idempotency_key}
        # No answer, or a server error, decides nothing: the charge may have happened. The caller
        # tries again later with the same idempotency key, and the provider answers the same.
        async with httpx.AsyncClient(transport=self._transport, timeout=20) as http:
            response = await http.post(self._charge_url, content=body, headers=headers)
        if response.status_code >= 500:
            response.raise_for_status()
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if response.status_code < 300 and answer.get("status") == "succeeded" and answer.get("payment_id"):
            return ChargeResult(True, charge_id=str(answer["payment_id"]), amount=_charged(answer, amount))
        return ChargeResult(False, reason=str(answer.get("reason") or f"declined_http_{response.status_code}")[:200])


def _charged(answer: dict[str, Any], asked: Decimal) -> Decimal:
    """The amount the provider reports as charged; the one asked when it reports none (or nonsense)."""
    reported = answer.get("amount")
    if not isinstance(reported, str | int | float) or isinstance(reported, bool):
        return asked
    try:
        charged = Decimal(str(reported).strip())
    except InvalidOperation:
        return asked
    return round_money(charged) if charged.is_finite() and charged > 0 else asked
