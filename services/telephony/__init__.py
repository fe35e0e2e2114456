"""The telephony service (arrives with its issue)."""
