"""Forwarding a cabinet command to the service that owns it, with read-your-writes.

The command goes through shared/internal_api.py (internal token, actor, correlation id, the
client's idempotency key scoped to the caller so two users' keys never collide); a domain error
comes back unchanged. Its answer names the stream and version its events landed at; the gateway
waits, briefly and bounded, until its read model has applied them, so the caller's next query
shows the change (`read_model_current` says whether the wait succeeded)."""

from __future__ import annotations

import uuid
from typing import Any

from services.gateway.auth import Caller
from shared.db import Pool
from shared.internal_api import InternalClient
from shared.projection import wait_for_stream

__all__ = ["forward_command"]


async def forward_command(
    client: InternalClient,
    pool: Pool,
    caller: Caller,
    method: str,
    path: str,
    *,
    projection: str,
    body: Any = None,
    idempotency_key: str | None = None,
    timeout: float = 2.0,
) -> dict[str, Any]:
    key = f"{caller.user_id}:{idempotency_key or uuid.uuid4()}"
    result = await client.call(method, path, json=body, actor=caller.actor, idempotency_key=key)
    stream_id, version = result.get("stream_id"), result.get("stream_version")
    if isinstance(stream_id, str) and isinstance(version, int) and version > 0:
        result["read_model_current"] = await wait_for_stream(pool, projection, stream_id, version, timeout)
    return result
