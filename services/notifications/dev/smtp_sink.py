"""A local SMTP server (aiosmtpd) that prints every e-mail it receives: `python -m
services.notifications.dev.smtp_sink`. It listens where the notifications service sends e-mail
(`SMTP_HOST`, `SMTP_PORT`; 127.0.0.1:8025 by default) unless told otherwise."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TextIO

from aiosmtpd.controller import Controller

__all__ = ["SmtpSink"]


class SmtpSink:
    """Collects received e-mails (`received`) and prints them to `out`."""

    def __init__(self, out: TextIO | None = sys.stdout) -> None:
        self.out = out
        self.received: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(message)
        if self.out is not None:
            body = message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            print(f"[smtp-sink] to {', '.join(envelope.rcpt_tos)}: {message['Subject']}\n{text}\n",
                  file=self.out, flush=True)
        return "250 Message accepted for delivery"

    def start(self, host: str = "127.0.0.1", port: int = 8025) -> Controller:
        controller = Controller(self, hostname=host, port=port)
        controller.start()
        return controller


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("SMTP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SMTP_PORT", "8025")))
    args = parser.parse_args()
    controller = SmtpSink().start(args.host, args.port)
    print(f"[smtp-sink] listening on {args.host}:{args.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
