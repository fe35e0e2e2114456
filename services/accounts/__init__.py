"""The accounts service (arrives with its issue)."""
