"""Robokassa: the payment page URL signed with password #1, and its ResultURL notification.

ResultURL (docs.robokassa.ru, "Уведомления и переадресация"): Robokassa calls with `OutSum`,
`InvId`, `SignatureValue` and any `Shp_*` parameters we passed; the signature is the hex MD5 of
`OutSum:InvId:Password#2[:Shp_a=1:Shp_b=2]` (custom parameters sorted by name), computed over the
values exactly as sent (OutSum arrives as "150.000000"). The answer to a good notification is the
text `OK<InvId>`; anything else makes Robokassa retry later. A notification of a test payment
(`IsTest=1`) is refused unless test mode is on (it is off outside dev, and never allowed in prod).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import urlencode

from services.payments.adapters.providers.base import callback_amount, invoice_number, same_signature
from services.payments.domain.providers import CallbackRefused, ProviderPayment, TopUp

__all__ = ["Robokassa", "md5_signature"]


def md5_signature(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode(), usedforsecurity=False).hexdigest().upper()


def _custom(params: Mapping[str, str]) -> list[str]:
    return [f"{k}={params[k]}" for k in sorted(params, key=str.lower) if k.lower().startswith("shp_")]


class Robokassa:
    name = "robokassa"

    def __init__(self, merchant_login: str, password1: str, password2: str, payment_url: str, test_mode: bool):
        self._login = merchant_login
        self._password1 = password1
        self._password2 = password2
        self._payment_url = payment_url
        self._test_mode = test_mode

    def checkout_url(self, top_up: TopUp) -> str:
        out_sum = f"{top_up.amount:.2f}"
        inv_id = str(top_up.invoice_id)
        shp = {"Shp_account": top_up.account_id}
        query = {
            "MerchantLogin": self._login,
            "OutSum": out_sum,
            "InvId": inv_id,
            "Description": f"Пополнение лицевого счёта {top_up.account_id}",
            "SignatureValue": md5_signature(self._login, out_sum, inv_id, self._password1, *_custom(shp)),
            **shp,
        }
        if self._test_mode:
            query["IsTest"] = "1"
        return f"{self._payment_url}?{urlencode(query)}"

    def sign_result(self, out_sum: str, inv_id: str, custom: Mapping[str, str] | None = None) -> str:
        """The signature Robokassa puts on a ResultURL call (used by tests and the dev tools)."""
        return md5_signature(out_sum, inv_id, self._password2, *_custom(custom or {}))

    def verify_result(self, params: Mapping[str, str]) -> ProviderPayment:
        try:
            out_sum, inv_id, signature = params["OutSum"], params["InvId"], params["SignatureValue"]
        except KeyError as missing:
            raise CallbackRefused("top_up.malformed_callback", f"{missing.args[0]} is missing") from None
        if not same_signature(self.sign_result(out_sum, inv_id, params), signature):
            raise CallbackRefused("top_up.bad_signature", "the signature does not match", status=403)
        if params.get("IsTest", "0").strip() not in ("", "0") and not self._test_mode:
            # A test payment moves no money: it must never top up an account outside test mode.
            raise CallbackRefused("top_up.test_payment", "a test payment (IsTest=1) while test mode is off")
        return ProviderPayment(self.name, invoice_number(inv_id), inv_id, callback_amount(out_sum))

    @staticmethod
    def answer(payment: ProviderPayment) -> str:
        return f"OK{payment.invoice_id}"
