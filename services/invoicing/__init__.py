"""The invoicing service: what an account is charged, and its regular invoices (issue 11).

- `projections/account_plans.py` turns accounts' facts into a plan per account (domain/plan.py) and
  queues the account; `application/posting.py` (the posting worker) posts what is due on the
  account's stream `charges-<account>`, reconciling what should be charged by now
  (domain/coverage.py, charging rules in `charging/rules.v<N>.json`) with what was posted
  (domain/account.py): charges, credits, and the next period's `FeesForecast`.
- `application/days.py`: a durable timer per local day queues the accounts a day concerns and, on
  the 1st, starts the closed period's bill run (`application/bill_run.py`): batches that commit with
  their cursor, one regular invoice per account and period by constraint, gapless numbers per series.
- `entrypoints/http.py`: the internal API (charges page, charges history, invoices, invoice orders,
  rated usage, bill runs); `entrypoints/bill_run_cli.py` runs a bill run in the foreground.
Documents (PDF/XLSX), delivery and notifications of invoices follow (issue 11, items 6, 7, 9)."""
