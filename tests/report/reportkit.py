"""Builders for report tests: events made by recording releases in a real Store (``tests/records.py``),
configs with sinks, and a real HTTP webhook receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crawler.config import config_from_dict
from crawler.model import Release
from tests import records

#: the report tests' release: the first two paragraphs of the records' one
BODY = records.BODY[:2]
SPAM = records.SPAM


def release(**kw: Any) -> Release:
    """:func:`tests.records.release`, with the two paragraphs above unless told otherwise."""
    kw.setdefault("paragraphs", BODY)
    return records.release(**kw)


def changed_paragraphs() -> list[str]:
    return [BODY[0], "衢州市深入推进数字化改革，打造四省边际中心城市和示范区。"]


def config(tmp_path, sinks: list[dict[str, Any]], **top: Any):
    return config_from_dict(
        {"database": str(tmp_path / "govwatch.db"), "sinks": sinks, **top}, source="<test>", base_dir=tmp_path
    )


def verify(secret: str, body: bytes, header: str | None) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(expected, header)


class Receiver:
    """A real HTTP server on 127.0.0.1 (a thread) that records every POST; ``status`` is what it answers."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.attempts = 0
        self.status = 200
        #: statuses answered before ``status``, one per request (e.g. ``[500]``: one refusal)
        self.script: list[int] = []
        #: a POST whose body this returns True for is answered 500
        self.refuse: Any = None
        self.delay = 0.0  # seconds to wait before answering
        self.lock = threading.Lock()
        self._port = port
        self.server: ThreadingHTTPServer | None = None
        self.start()

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.attempts += 1
                    status = receiver.script.pop(0) if receiver.script else receiver.status
                    if receiver.refuse is not None and receiver.refuse(body):
                        status = 500
                    if 200 <= status < 300:
                        receiver.received.append((dict(self.headers.items()), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/hook/secret-path-token"

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body)["event"] for _, body in self.received]

    def ids(self) -> list[int]:
        return sorted(e["id"] for e in self.events())
