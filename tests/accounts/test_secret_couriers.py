"""The SecretCourier adapters: the agreed request to the notifications service, the dev console,
and what happens when delivery fails."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar import Litestar, Response, post

from services.accounts.adapters.couriers import ConsoleCourier, HttpCourier, courier_for
from shared.errors import DomainError
from shared.internal_api import InternalClient

EXPIRES = datetime(2026, 3, 12, 6, 0, tzinfo=UTC)


def notifications_stand_in(received: list[dict[str, Any]], status: int = 201) -> Litestar:
    @post("/internal/v1/deliveries/secret", sync_to_thread=False)
    def deliver(data: dict[str, Any]) -> Response[dict[str, Any]]:
        received.append(data)
        return Response({"status": "sent"} if status < 400 else {"code": "sms.down", "detail": "x"},
                        status_code=status)

    return Litestar([deliver])


def client_for(app: Litestar) -> InternalClient:
    return InternalClient("notifications", "http://notifications", "t", transport=httpx.ASGITransport(app=app))


async def test_the_http_courier_posts_the_agreed_request_to_notifications() -> None:
    received: list[dict[str, Any]] = []
    courier = HttpCourier(client_for(notifications_stand_in(received)))
    await courier.deliver("login_code", "u1015", ["1015"], "sms", "79110001015", "ru", "123456", EXPIRES)
    assert received == [{"kind": "login_code", "user_id": "u1015", "account_ids": ["1015"], "channel": "sms",
                         "address": "79110001015", "language": "ru", "secret": "123456",
                         "expires_at": "2026-03-12T06:00:00+00:00"}]


async def test_a_failed_delivery_is_a_503_outside_dev_and_the_console_in_dev() -> None:
    failing = notifications_stand_in([], status=404)
    with pytest.raises(DomainError) as refused:
        await HttpCourier(client_for(failing)).deliver("login_code", "u1", [], "sms", "7911", "ru", "654321", EXPIRES)
    assert (refused.value.status, refused.value.code) == (503, "secret.not_delivered")
    console = io.StringIO()
    await HttpCourier(client_for(failing), fallback=ConsoleCourier("dev", console)).deliver(
        "login_code", "u1", [], "sms", "7911", "ru", "654321", EXPIRES)
    assert "654321" in console.getvalue()


async def test_the_console_courier_prints_only_on_a_dev_stack(capsys: pytest.CaptureFixture[str]) -> None:
    await ConsoleCourier("dev").deliver("temporary_password", "u1", ["1015"], "email", "a@b.by", "ru", "Secr3tPass",
                                        EXPIRES)
    assert "Secr3tPass" in capsys.readouterr().out
    for environment in ("test", "prod"):
        await ConsoleCourier(environment).deliver("temporary_password", "u1", ["1015"], "email", "a@b.by", "ru",
                                                  "Secr3tPass", EXPIRES)
    printed = capsys.readouterr()
    assert "Secr3tPass" not in printed.out + printed.err
    assert isinstance(courier_for("dev", None, "t"), ConsoleCourier)
    assert isinstance(courier_for("prod", "http://notifications:8105", "t"), HttpCourier)
    with pytest.raises(ValueError, match="NOTIFICATIONS_URL"):
        courier_for("prod", None, "t")
