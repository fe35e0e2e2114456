"""One rule for an account nobody has (issue 10, item 7): even an operator, who may see every
account, gets 404 `account.not_found` from every route naming it, and nothing changes."""

from __future__ import annotations

import pytest

from tests.gateway.factories import OPERATOR, Cabinet
from tests.gateway.test_authorization_matrix import ACCOUNT_ROUTES, _fill


@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_ROUTES)
async def test_an_unknown_account_is_404_on_every_route_even_for_an_operator(
    cabinet: Cabinet, method: str, path: str, body: object
) -> None:
    operator = await cabinet.login(*OPERATOR)
    response = await cabinet.client.request(method, _fill(path, "nosuch99"), json=body, headers=operator)
    assert response.status_code == 404, (method, path, response.text)
    assert response.json()["code"] == "account.not_found"
    known = await cabinet.client.get("/api/v1/accounts/1015/summary", headers=operator)
    assert known.status_code == 200  # the positive control: the operator sees a real account
