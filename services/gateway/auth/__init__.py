"""Who calls the cabinet: the caller and what they may see (caller.py), the signed access tokens
(tokens.py), the refresh-token sessions (sessions.py) and the attempt counters (rate_limits.py).
The accounts service checks credentials; this room turns its answer into tokens and sessions."""

from services.gateway.auth.caller import Caller

__all__ = ["Caller"]
