"""The accounts service: clients, personal accounts, service lines and tariffs, voluntary and
financial blocks, cabinet users with their credentials and profiles. An internal API for the
office (operators' tools, the demo loader) and the gateway.

Where things live (the rooms every service has; the arrow points down only, import-linter checks it)
- `domain/`: pure rules and the aggregates (client, personal account with its lines, add-ons and
  blocks, cabinet user), the tariff catalogue, the input rules (`rules.py`); the billing calendar
  is the kernel's (shared/calendar.py).
- `application/`: the use cases (onboarding, lines, blocks, funds, login, users, one-time secrets),
  `context.py` (what they work with, wired by app.py) and `ports.py`, the abstract ports
  (credentials store, secret hasher, secret courier); `adapters/` implements them (PostgreSQL,
  argon2id, the notifications service or the dev console) and loads the catalogue file.
- `projections/`: our own, payments' and invoicing's events (charges) into `available_funds`
  (shared/funds.py's sums), which asks for a funds check.
- `entrypoints/`: the internal HTTP API (office, auth, users, account commands, organizations) and
  the timer handlers; the request edge (ids, actor, idempotency key, answers) is shared/http.py.
- `app.py` wires it all; `settings.py`; `migrations/`.

A client's Idempotency-Key is remembered under `scoped_key(key, actor, command, account or user
id)` (shared/commands.py): the gateway forwards its callers' keys as they are, with the caller as
`x-actor`."""
