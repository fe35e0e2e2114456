"""The gateway: the subscriber cabinet's public API over read models of the other services' events.

A read side, so no domain of its own; the rooms, top-down (pyproject.toml's layers contract):
- `app.py` wires it: settings, clock, the runtime with its projections, the services' clients.
- `entrypoints/` the cabinet's routes; `common.py` what they share: the `caller`, the account in the
  path once the caller may see it (`AccountController`, `visible_account`: a foreign account answers
  404 like a missing one), and `Commands` forwarding a command to the service that owns it, then
  waiting until the read model shows it (read-your-writes).
- `auth/` who calls: the caller, access tokens, refresh-token sessions, attempt counters.
- `projections/` other services' events into the cabinet's tables, each with its queries beside it
  (`cabinet_accounts_queries.py`, `cabinet_payments_queries.py`, `messages.py`'s `message_list`).
"""
