"""The client's requisites page (EXTRAS #21, #49): the organization's name, tax id, settlement
accounts, legal address, contract, invoice delivery, and the account's number, opening day,
status and funds, for whoever sees the account."""

from __future__ import annotations

from tests.gateway.factories import ORG_ADMIN, SUBSCRIBER, Cabinet


async def test_the_organizations_requisites_page(cabinet: Cabinet) -> None:
    admin = await cabinet.login(*ORG_ADMIN)
    page = (await cabinet.client.get("/api/v1/accounts/3003/requisites", headers=admin)).json()
    assert page["client"] == {"kind": "organization", "name": "ООО «Альфа-Телеком»", "tax_id": "190000001",
                              "bank_accounts": ["BY20ALFA30120000000000000000", "BY86ALFA30120000000000000001"],
                              "legal_address": "220004, г. Минск, пр-т Победителей, 1"}
    assert page["contract"] == {"number": "3003", "date": "2023-01-15"}
    assert page["invoice_delivery"] == {"method": "email", "address": "buh@alfa-telecom.by;office@alfa-telecom.by"}
    assert (page["account_id"], page["payment_form"], page["status"]) == ("3003", "postpaid", "active")
    assert page["opened_at"].startswith("2023-01-15") and page["funds"]["balance"] == "0.00"


async def test_a_persons_page_shows_what_is_known_and_a_foreign_one_is_not_found(cabinet: Cabinet) -> None:
    subscriber = await cabinet.login(*SUBSCRIBER)
    page = (await cabinet.client.get("/api/v1/accounts/1015/requisites", headers=subscriber)).json()
    assert page["client"]["name"] == "Иванов Иван Николаевич" and page["client"]["bank_accounts"] == []
    assert page["invoice_delivery"] == {"method": None, "address": None}
    foreign = await cabinet.client.get("/api/v1/accounts/3003/requisites", headers=subscriber)
    assert foreign.status_code == 404 and foreign.json()["code"] == "account.not_found"


async def test_invoice_e_mails_follow_the_seed_format(cabinet: Cabinet) -> None:
    base = {"kind": "organization", "name": "ООО «Бета»", "payment_form": "postpaid", "contract_number": "5005",
            "contract_date": "2024-01-01"}
    token = {"x-internal-token": "test-internal-token"}
    for address, code in (("a@b.by; c@d.by", "client.invoice_emails_invalid"), ("a@b.by;nope", "client.invoice_emails_invalid"),
                          (None, "client.invoice_address_required")):
        refused = await cabinet.accounts.post("/internal/v1/clients", headers=token, json={
            **base, "client_id": "org-b", "invoice_delivery": "email", "invoice_address": address})
        assert refused.status_code == 422 and refused.json()["code"] == code, refused.text
    accepted = await cabinet.accounts.post("/internal/v1/clients", headers=token, json={
        **base, "client_id": "org-b", "invoice_delivery": "email", "invoice_address": "a@b.by;c@d.by"})
    assert accepted.status_code == 201, accepted.text
