"""The sandbox provider for dev stacks and demos: a small hosted "pay" page whose button posts a
correctly signed callback, and saved "cards" for autopay (a token containing `decline` is
declined). Never enabled with BILLING_ENV=prod (services/payments/settings.py)."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal

from services.payments.adapters.providers.base import callback_amount, hmac_sha256, invoice_number, same_signature
from services.payments.domain.providers import CallbackRefused, ChargeResult, ProviderPayment, TopUp
from shared.clock import Clock
from shared.db import Pool

__all__ = ["CALLBACK_PATH", "PAGE_PATH", "Sandbox"]

PAGE_PATH = "/public/v1/sandbox/pay"
CALLBACK_PATH = "/public/v1/providers/sandbox/callback"


class Sandbox:
    name = "sandbox"
    charges_saved_methods = True

    def __init__(self, secret: str, public_url: str, pool: Callable[[], Pool], clock: Clock,
                 cabinet_url: str = "") -> None:
        self._secret = secret
        self._cabinet_url = cabinet_url
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._pool = pool

    def checkout_url(self, top_up: TopUp) -> str:
        return f"{self._public_url}{PAGE_PATH}/{top_up.invoice_id}"

    def _signature(self, invoice_id: str, payment_id: str, amount: str) -> str:
        return hmac_sha256(self._secret, f"{invoice_id}:{payment_id}:{amount}".encode())

    def signed_callback(self, top_up: TopUp) -> dict[str, str]:
        """What the page's button posts: one sandbox payment id per invoice, so paying twice is a repeat."""
        fields = {"invoice_id": str(top_up.invoice_id), "payment_id": f"sbx-{top_up.invoice_id}",
                  "amount": f"{top_up.amount:.2f}"}
        return {**fields, "signature": self._signature(**fields)}

    def verify(self, form: Mapping[str, str]) -> ProviderPayment:
        try:
            invoice_id, payment_id, amount = form["invoice_id"], form["payment_id"], form["amount"]
            signature = form["signature"]
        except KeyError as missing:
            raise CallbackRefused("top_up.malformed_callback", f"{missing.args[0]} is missing") from None
        if not same_signature(self._signature(invoice_id, payment_id, amount), signature):
            raise CallbackRefused("top_up.bad_signature", "the signature does not match", status=403)
        return ProviderPayment(self.name, invoice_number(invoice_id), payment_id[:128], callback_amount(amount))

    def page(self, top_up: TopUp) -> str:
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in self.signed_callback(top_up).items()
        )
        account, amount = html.escape(top_up.account_id), html.escape(f"{top_up.amount:.2f}")
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox payment</title></head>'
            '<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto">'
            f"<h1>Sandbox payment</h1><p>Top-up {top_up.invoice_id} of account <b>{account}</b>:"
            f" <b>{amount}</b>.</p><p>No money moves: this is the dev stack's pretend provider.</p>"
            f'<form method="post" action="{CALLBACK_PATH}">{fields}<button type="submit">Pay {amount}</button>'
            "</form></body></html>"
        )

    def paid_page(self, payment: ProviderPayment, account_id: str | None = None) -> str:
        """Paid; and the way back to the account's payment history in the web cabinet."""
        back = ""
        if self._cabinet_url and account_id:
            url = html.escape(f"{self._cabinet_url}/accounts/{account_id}/payments")
            back = f'<p><a href="{url}">Back to the cabinet</a></p>'
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Paid</title></head><body>'
            f"<h1>Paid</h1><p>Payment {html.escape(payment.payment_id)} of {payment.amount:.2f} is registered."
            f"</p>{back}</body></html>"
        )

    async def charge(self, token: str, amount: Decimal, idempotency_key: str) -> ChargeResult:
        declined = "decline" in token.lower()
        pool = self._pool()
        await pool.execute(
            "INSERT INTO sandbox_charges (idempotency_key, charge_id, amount, succeeded, reason, charged_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING",
            idempotency_key, f"sbx-ch-{uuid.uuid4().hex[:16]}", amount, not declined,
            "card_declined" if declined else None, self._clock.now(),
        )
        row = await pool.fetchrow("SELECT * FROM sandbox_charges WHERE idempotency_key = $1", idempotency_key)
        assert row is not None
        succeeded = row["succeeded"]
        return ChargeResult(succeeded, row["charge_id"] if succeeded else None, row["reason"], row["amount"])
