"""The notifications service: SMS and e-mail from the other services' events, in Russian and
English, with a delivery log the cabinet lists ("Сообщения").

Where things live (the rooms every service has)
- `domain/`: pure rules and the message aggregate (catalogue, quiet hours and backoff, formatting,
  the reminder's rule); the billing calendar and the funds formula are the kernel's
  (shared/calendar.py, shared/funds.py); the fee schedule is invoicing's (its FeesForecast).
- `application/`: the use cases (queue, deliver, remind, secrets) and `ports.py`, the abstract
  senders and templates; `adapters/` implements them (SMTP, HTTP SMS gateway, Jinja2 files).
- `projections/`: the other services' events into the service's own tables, by its own models of
  their payloads (`contracts.py`), and the messages they trigger (`triggers.py`).
- `entrypoints/`: the internal HTTP API and the timer handlers; `app.py` wires it all.

How a message comes to be
- `projections/triggers.py` reads billing.accounts.events, billing.payments.events and
  billing.invoicing.events as a projection (each event applied once) and keeps what the service
  knows: recipients' addresses, languages and preferences; accounts' funds, charges and forecast
  fees; promised payments.
- `domain/catalog.py` is the one table "event type -> topic, template, channels, urgency". For an
  event with a rule, each recipient of the account gets the message on the channels the rule and
  their preferences allow, rendered from `templates/<language>/<template>.j2`.
- `application/queueing.py` queues it: a delivery row, unique per (event, channel, address), the
  `MessageQueued` event, and a durable timer for the first try, in the consumer's transaction.
  Non-urgent SMS wait for the end of quiet hours (default 21:00-09:00 subscriber time).
- `application/delivery.py` makes the tries: the timer schedules the next try before sending (after
  its commit, never inside a transaction), then records `MessageSent`, `MessageAttemptFailed` or,
  at the end, `MessageFailed`. The gateway lists them from billing.notifications.events.
- `application/reminders.py`: the promised payment reminder the day before it is due and the
  end-of-period reminder (N days before, to accounts whose funds will not cover the next period).

Secrets (temporary passwords, login codes, phone confirmation codes)
The accounts service posts each secret directly to `POST /internal/v1/deliveries/secret` (internal
token). The secret is never in an event, a table or a log line: the message is queued with its
text rendered with the secret masked (`******`), and the real text exists only in the request's
memory while it is sent, at once, with a few quick tries (login codes are never deferred). An
undeliverable secret ends as a failed message and the caller gets `424 delivery.failed`; nothing
could resend it later, since nothing kept it. The request model holds the secret as a `SecretStr`
and the outgoing message does not print its text, so even an accidental log line shows no secret.
The dev SMS and SMTP sinks (`dev/`) print what they receive, codes included: they stand in for the
subscriber's phone and mailbox on a developer's machine and are never deployed.

Replays and republished events never send twice: the consumer skips events it applied, and the
unique (event, channel, address) of the delivery log holds even if its bookkeeping is reset.
"""
