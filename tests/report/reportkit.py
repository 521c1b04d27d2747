"""Builders for report tests: events made by recording Release/Fetch objects in a real Store, and a real
HTTP webhook receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crawler.config import config_from_dict
from crawler.model import Fetch, Flag, Release

SITE = "quzhou"
INDEX_NO = "11330800002618015K/2022-134528"
URL = "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
COLUMN_URL = "http://www.qz.gov.cn/col/col1229037214/index.html"
BODY = [
    "9月13日下午，市政府新闻办召开“‘浙’十年·衢州”主题新闻发布会。",
    "衢州市深入推进数字化改革，打造四省边际中心城市。",
]
SPAM = Flag(rule="hidden_offsite_link", severity="critical", evidence="365bet.example", location="body > div")


def release(
    *,
    index_no: str | None = INDEX_NO,
    url: str = URL,
    title: str = "“‘浙’十年·衢州”主题新闻发布会答问实录",
    paragraphs: list[str] | None = None,
) -> Release:
    return Release(
        kind="release",
        url=url,
        index_no=index_no,
        title=title,
        publisher="市政府办公室",
        written_date="2022-09-14",
        published_at="2022-09-14T09:12:00+08:00",
        site_name="衢州市人民政府",
        column="发布实录",
        paragraphs=list(BODY if paragraphs is None else paragraphs),
    )


def record(store, rel: Release, *, flags: list[Flag] | None = None, baseline: bool = False, run_id=None):
    """Record an ok fetch of ``rel``; returns the events the store raised."""
    html = "".join(f"<p>{p}</p>" for p in rel.paragraphs)
    fetch = Fetch(
        url=rel.url or URL,
        site=SITE,
        outcome="ok",
        status=200,
        body=f"<html><title>{rel.title}</title><body>{html}</body></html>".encode(),
        run_id=run_id,
        column="发布实录",
        column_url=COLUMN_URL,
        list_date="2022-09-14",
        baseline=baseline,
    )
    return store.record(fetch, rel, flags or [])


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
                    status = receiver.status
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
