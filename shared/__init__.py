"""The shared kernel: events, event store, relay, consumers, scheduler, money, clock, settings."""
