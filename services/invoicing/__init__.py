"""The invoicing service (arrives with its issue)."""
