"""The gateway in-process with the accounts service behind it (also in-process, called through its
real internal API over an ASGI transport), a real PostgreSQL, a Kafka broker of the test's own
carrying accounts' events to the gateway's read model, and one fake clock for both."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.accounts.adapters.network import DevNetwork
from services.accounts.adapters.tv_partners import SandboxTvPartners
from services.accounts.app import create_app as create_accounts
from services.gateway.app import create_app as create_gateway
from shared.clock import FakeClock
from shared.internal_api import InternalClient
from tests.accounts.factories import START, RecordingCourier, accounts_settings, load_demo
from tests.conftest import KafkaSpace
from tests.eventually import eventually
from tests.gateway.factories import Cabinet, gateway_settings, serving

#: The demo's opening balances as these tests count from them (no invoicing charges here).
OPENING_BALANCES = {"2002": "-120.00", "1015": "650.00"}


@pytest.fixture
async def cabinet(database_url: str, kafka: KafkaSpace) -> AsyncIterator[Cabinet]:
    clock = FakeClock(START)
    courier = RecordingCourier()
    network, tv_partners = DevNetwork(), SandboxTvPartners()
    # A TV partner that never answers is given up on after half a second (10 s in production).
    settings = accounts_settings(database_url, kafka).model_copy(update={"tv_partner_timeout_s": 0.5})
    accounts_app = create_accounts(settings, clock=clock, courier=courier, network=network, tv_partners=tv_partners)
    async with serving(accounts_app) as accounts:
        client = InternalClient("accounts", "http://accounts", "test-internal-token",
                                transport=httpx.ASGITransport(app=accounts_app))
        gateway = create_gateway(gateway_settings(database_url, kafka), clock=clock, accounts=client)
        async with serving(gateway) as gateway_client:
            # No invoicing runs here: the demo's debtor (no money, blocked by this month's charges on
            # the stack) is opened in debt instead, and 1015 with the 650.00 these tests count from.
            await load_demo(accounts, OPENING_BALANCES)
            found = Cabinet(gateway_client, accounts, clock, courier, database_url, network, tv_partners)

            async def demo_in_read_model() -> bool:
                lines = await found.read_model("SELECT count(*) FROM cabinet_lines")
                users = await found.read_model("SELECT count(*) FROM cabinet_users WHERE full_name IS NOT NULL")
                return bool(lines == 7 and users == 4)

            await eventually(demo_in_read_model)
            yield found
