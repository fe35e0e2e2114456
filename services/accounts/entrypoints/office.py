"""The office's internal API (operators' tools, the demo loader): clients, accounts, service
lines, add-ons, cabinet users, and the tariff catalogue."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from services.accounts.application import onboarding, users
from services.accounts.application.context import Accounts
from services.accounts.domain.client import ClientDetails
from services.accounts.domain.events import InvoiceDelivery, PaymentForm
from services.accounts.domain.user import Profile
from services.accounts.domain.user_events import Language, Role
from services.accounts.entrypoints import answers as a
from shared.clock import utc
from shared.http import ID_PATTERN, AccountId, Actor, IdempotencyKey, command_metadata, command_response
from shared.money import BALANCE_PATTERN, parse_balance
from shared.openapi import answers

__all__ = ["OfficeController"]


class NewClient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(pattern=ID_PATTERN)
    kind: Literal["person", "organization"]
    name: str = Field(min_length=1, max_length=300)
    tax_id: str | None = Field(default=None, max_length=32)
    bank_account: str | None = Field(default=None, max_length=64)
    legal_address: str | None = Field(default=None, max_length=500)
    payment_form: PaymentForm
    contract_number: str = Field(pattern=ID_PATTERN)
    contract_date: date
    other_bank_accounts: tuple[Annotated[str, Field(min_length=1, max_length=64)], ...] = Field(default=(),
                                                                                               max_length=10)
    invoice_delivery: InvoiceDelivery | None = None
    invoice_address: str | None = Field(default=None, max_length=500)


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ID_PATTERN)
    client_id: str = Field(pattern=ID_PATTERN)
    opened_at: datetime | None = None
    opening_balance: Annotated[Decimal, BeforeValidator(parse_balance), WithJsonSchema({
        "type": "string", "pattern": BALANCE_PATTERN, "description": 'may be negative, e.g. "-120.00"',
        "default": "0.00"})] = Decimal("0.00")

    @field_validator("opened_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return utc(value) if value else None


class NewLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_id: str = Field(pattern=ID_PATTERN)
    identifier: str = Field(min_length=1, max_length=64)
    subscriber_name: str = Field(min_length=1, max_length=120)
    tariff_id: str = Field(pattern=ID_PATTERN)


class AddOnChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(pattern=ID_PATTERN)
    on: date | None = None


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(pattern=ID_PATTERN)
    role: Role
    login: str = Field(pattern=ID_PATTERN)
    phone: str | None = Field(default=None, max_length=32)
    account_ids: list[str] = Field(default_factory=list, max_length=1000)
    organization_id: str | None = Field(default=None, pattern=ID_PATTERN)
    password: str | None = Field(default=None, min_length=1, max_length=128)
    must_change_password: bool = True
    full_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    language: Language = "ru"


class OfficeController(Controller):
    path = "/internal/v1"
    tags = ["office"]

    @post("/clients", status_code=201, summary="Register a client (person or organization)",
          responses=answers(201, a.ClientRegistered))
    async def register_client(self, data: NewClient, ctx: Accounts, actor: Actor,
                              idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        details = ClientDetails(**data.model_dump(exclude={"client_id"}))
        result = await onboarding.register_client(ctx, data.client_id, details, command_metadata(actor),
                                                  idempotency_key)
        return command_response(result, 201)

    @post("/accounts", status_code=201, summary="Open a personal account for a client",
          responses=answers(201, a.AccountOpened))
    async def open_account(self, data: NewAccount, ctx: Accounts, actor: Actor,
                           idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await onboarding.open_account(ctx, data.account_id, data.client_id, data.opened_at,
                                               data.opening_balance, command_metadata(actor), idempotency_key)
        return command_response(result, 201)

    @post("/accounts/{account_id:str}/lines", status_code=201, summary="Add a service line with a tariff",
          responses=answers(201, a.LineAdded))
    async def add_line(self, account_id: AccountId, data: NewLine, ctx: Accounts, actor: Actor,
                       idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await onboarding.add_line(ctx, account_id, data.line_id, data.identifier, data.subscriber_name,
                                           data.tariff_id, command_metadata(actor), idempotency_key)
        return command_response(result, 201)

    @post("/accounts/{account_id:str}/lines/{line_id:str}/add-ons", status_code=200,
          summary="Connect an add-on service", responses=answers(200, a.AddOnChanged))
    async def connect_add_on(self, account_id: AccountId, line_id: str, data: AddOnChange, ctx: Accounts, actor: Actor,
                             idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await onboarding.connect_add_on(ctx, account_id, line_id, data.service_id, data.on,
                                                 command_metadata(actor), idempotency_key)
        return command_response(result)

    @post("/accounts/{account_id:str}/lines/{line_id:str}/add-ons/disconnect", status_code=200,
          summary="Disconnect an add-on", responses=answers(200, a.AddOnChanged))
    async def disconnect_add_on(self, account_id: AccountId, line_id: str, data: AddOnChange, ctx: Accounts,
                                actor: Actor, idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await onboarding.disconnect_add_on(ctx, account_id, line_id, data.service_id, data.on,
                                                    command_metadata(actor), idempotency_key)
        return command_response(result)

    @post("/accounts/{account_id:str}/close", status_code=200, summary="Close a personal account",
          responses=answers(200, a.AccountClosed))
    async def close_account(self, account_id: AccountId, ctx: Accounts, actor: Actor,
                            idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        result = await onboarding.close_account(ctx, account_id, command_metadata(actor), idempotency_key)
        return command_response(result)

    @post("/users", status_code=201, summary="Create a cabinet user (subscriber, org admin, operator)",
          responses=answers(201, a.UserCreated))
    async def create_user(self, data: NewUser, ctx: Accounts, actor: Actor,
                          idempotency_key: IdempotencyKey) -> Response[dict[str, Any]]:
        profile = Profile(full_name=data.full_name, email=data.email, language=data.language)
        result = await users.create_user(
            ctx, data.user_id, data.role, data.login, data.phone, data.account_ids, data.organization_id,
            data.password, data.must_change_password, profile, command_metadata(actor), idempotency_key,
        )
        return command_response(result, 201)

    @get("/tariffs", summary="The tariff catalogue", sync_to_thread=False, responses=answers(200, a.Catalogue))
    def tariffs(self, ctx: Accounts, kind: str | None = None) -> dict[str, Any]:
        return {"version": ctx.catalogue.version, "tariffs": [t.as_dict() for t in ctx.catalogue.tariffs(kind)]}
