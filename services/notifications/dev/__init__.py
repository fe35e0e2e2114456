"""Dev-only sinks standing in for the real SMTP server and SMS gateway: `make run` starts them
(Procfile) so a newcomer sees every message printed in the console; the tests use them as the
real servers they are. They print what they receive, one-time codes included: that is their
purpose on a developer's machine, and they are never deployed."""
