"""A local HTTP SMS gateway that prints every SMS it receives: `python -m
services.notifications.dev.sms_sink`. It listens where the notifications service sends SMS
(`SMS_GATEWAY_URL`, http://127.0.0.1:8026/messages by default) and speaks the API of
`adapters/sms_gateway.py`: POST /messages with the bearer token (`SMS_GATEWAY_TOKEN`), JSON
{to, text, sender, reference}."""

from __future__ import annotations

import argparse
import hmac
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import urlsplit

__all__ = ["SmsSink"]


class SmsSink(ThreadingHTTPServer):
    """Collects received SMS (`received`) and prints them to `out`; `fail_with` makes it answer
    that HTTP status instead (a gateway outage in a test)."""

    daemon_threads = True

    def __init__(self, host: str, port: int, token: str, out: TextIO | None = sys.stdout) -> None:
        super().__init__((host, port), _Handler)
        self.token = token
        self.out = out
        self.received: list[dict[str, Any]] = []
        self.fail_with: int | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/messages"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="sms-sink", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def accept(self, message: dict[str, Any]) -> str:
        with self._lock:
            self.received.append(message)
        if self.out is not None:
            print(f"[sms-sink] to {message.get('to')}: {message.get('text')}", file=self.out, flush=True)
        return str(uuid.uuid4())


class _Handler(BaseHTTPRequestHandler):
    server: SmsSink

    def do_GET(self) -> None:
        self._answer(200 if self.path == "/health" else 404, {"status": "ok"})

    def do_POST(self) -> None:
        if self.path != "/messages":
            return self._answer(404, {"error": "not found"})
        given = self.headers.get("authorization", "").removeprefix("Bearer ").encode()
        if not hmac.compare_digest(given, self.server.token.encode()):
            return self._answer(401, {"error": "bad token"})
        if self.server.fail_with is not None:
            return self._answer(self.server.fail_with, {"error": "failing on purpose"})
        try:
            message = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
            if not isinstance(message, dict) or not message.get("to") or not message.get("text"):
                raise ValueError("to and text are required")
        except ValueError as error:
            return self._answer(400, {"error": str(error)})
        self._answer(200, {"id": self.server.accept(message)})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # no access log: the printout says it all
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    where = urlsplit(os.environ.get("SMS_GATEWAY_URL", "http://127.0.0.1:8026/messages"))
    parser.add_argument("--host", default=where.hostname or "127.0.0.1")
    parser.add_argument("--port", type=int, default=where.port or 8026)
    args = parser.parse_args()
    sink = SmsSink(args.host, args.port, os.environ.get("SMS_GATEWAY_TOKEN", "dev-sms-token"))
    print(f"[sms-sink] listening on {sink.url}", flush=True)
    try:
        sink.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sink.server_close()


if __name__ == "__main__":
    main()
