"""Uniteller: the payment page URL signed with the shop's password, and its status notification.

Payment page (wpay.uniteller.ru/pay/): `Shop_IDP`, `Order_IDP` (our top-up's invoice id),
`Subtotal_P`, `URL_RETURN_OK`/`URL_RETURN_NO` and `Signature`, the upper-case hex MD5 of the MD5s of
`Shop_IDP`, `Order_IDP`, `Subtotal_P`, `MeanType`, `EMoneyType`, `Lifetime`, `Customer_IDP`,
`Card_IDP`, `IData`, `PT_Code` (empty when not sent) and the password, joined by `&`.

Status notification (POST to the shop's notification URL, form fields): `Order_ID`, `Status`
(`authorized`, `paid`, `canceled`, `waiting`, ...), and, as this shop's notification is set up in
Uniteller's merchant area, the extra fields `BillNumber` (Uniteller's id of the payment) and
`Total` (the amount); `Signature` is the upper-case hex MD5 of `Order_ID + Status + BillNumber +
Total + password`, the values concatenated exactly as sent. A payment is registered on `paid` (the
money is taken) once per `BillNumber`; any other status changes nothing and is acknowledged, so
Uniteller stops repeating it. An answer other than 200 makes Uniteller send it again later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import urlencode

from services.payments.adapters.providers.base import callback_amount, invoice_number, same_signature
from services.payments.domain.providers import CallbackRefused, ProviderPayment, TopUp

__all__ = ["PAID", "Uniteller", "notification_signature"]

#: The status on which money has been taken (one-stage payments).
PAID = "paid"
_PAGE_FIELDS = ("Shop_IDP", "Order_IDP", "Subtotal_P", "MeanType", "EMoneyType", "Lifetime", "Customer_IDP",
                "Card_IDP", "IData", "PT_Code")
_BILL_NUMBER_MAX = 64


def _md5(value: str) -> str:
    return hashlib.md5(value.encode(), usedforsecurity=False).hexdigest()


def notification_signature(order_id: str, status: str, bill_number: str, total: str, password: str) -> str:
    return _md5(order_id + status + bill_number + total + password).upper()


class Uniteller:
    name = "uniteller"

    def __init__(self, shop_id: str, password: str, payment_url: str, return_url: str) -> None:
        self._shop_id = shop_id
        self._password = password
        self._payment_url = payment_url
        self._return_url = return_url

    def checkout_url(self, top_up: TopUp) -> str:
        fields = {"Shop_IDP": self._shop_id, "Order_IDP": str(top_up.invoice_id), "Subtotal_P": f"{top_up.amount:.2f}"}
        signed = "&".join(_md5(fields.get(name, "")) for name in _PAGE_FIELDS) + "&" + _md5(self._password)
        query = {**fields, "URL_RETURN_OK": self._return_url, "URL_RETURN_NO": self._return_url,
                 "Signature": _md5(signed).upper()}
        return f"{self._payment_url}?{urlencode(query)}"

    def sign_notification(self, order_id: str, status: str, bill_number: str, total: str) -> str:
        """The signature Uniteller puts on a notification (used by tests and the dev tools)."""
        return notification_signature(order_id, status, bill_number, total, self._password)

    def verify_notification(self, params: Mapping[str, str]) -> ProviderPayment | None:
        """The payment a `paid` notification reports; None for another status (nothing to register)."""
        try:
            order_id, status, signature = params["Order_ID"], params["Status"], params["Signature"]
            bill_number, total = params["BillNumber"], params["Total"]
        except KeyError as missing:
            raise CallbackRefused("top_up.malformed_callback", f"{missing.args[0]} is missing") from None
        if not same_signature(self.sign_notification(order_id, status, bill_number, total), signature):
            raise CallbackRefused("top_up.bad_signature", "the signature does not match", status=403)
        if status.strip().lower() != PAID:
            return None
        bill = bill_number.strip()
        if not bill or len(bill) > _BILL_NUMBER_MAX:
            raise CallbackRefused("top_up.malformed_callback", "BillNumber is not a payment id")
        return ProviderPayment(self.name, invoice_number(order_id), f"uniteller-{bill}", callback_amount(total))
