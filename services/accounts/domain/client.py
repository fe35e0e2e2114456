"""A client: the person or organization holding a contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.accounts.domain.events import ClientRegistered, InvoiceDelivery, PaymentForm
from services.accounts.domain.rules import check_invoice_address
from shared.aggregate import Aggregate
from shared.errors import Conflict
from shared.events import DomainEvent

__all__ = ["Client", "ClientDetails", "stream_id_for"]


def stream_id_for(client_id: str) -> str:
    return f"client-{client_id}"


@dataclass(frozen=True)
class ClientDetails:
    kind: Literal["person", "organization"]
    name: str
    payment_form: PaymentForm
    contract_number: str
    contract_date: date
    tax_id: str | None = None
    bank_account: str | None = None
    legal_address: str | None = None
    other_bank_accounts: tuple[str, ...] = ()
    invoice_delivery: InvoiceDelivery | None = None
    invoice_address: str | None = None


class Client(Aggregate):
    stream_type = "Client"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.client_id = stream_id.removeprefix("client-")
        self.registered = False
        self.kind = "person"
        self.payment_form: PaymentForm = "prepaid"
        self.contract_number = ""

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ClientRegistered):
            self.registered = True
            self.kind = event.kind
            self.payment_form = event.payment_form
            self.contract_number = event.contract_number

    def register(self, details: ClientDetails) -> list[DomainEvent]:
        if self.registered:
            raise Conflict("client.exists", f"client {self.client_id} is already registered")
        return [ClientRegistered(
            client_id=self.client_id, kind=details.kind, name=details.name, tax_id=details.tax_id,
            bank_account=details.bank_account, legal_address=details.legal_address,
            payment_form=details.payment_form, contract_number=details.contract_number,
            contract_date=details.contract_date, other_bank_accounts=list(details.other_bank_accounts),
            invoice_delivery=details.invoice_delivery,
            invoice_address=check_invoice_address(details.invoice_delivery, details.invoice_address),
        )]
