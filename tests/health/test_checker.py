"""The link checker against a real local server: HEAD first, GET when HEAD is refused (405) or fails,
the govwatch User-Agent, the politeness delay between two requests to one host, timeouts."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.crawl.settings import user_agent
from crawler.health.checker import LinkChecker

SEEN: list[tuple[str, str, str, float]] = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, method: str) -> None:
        SEEN.append((method, self.path, self.headers.get("User-Agent", ""), time.monotonic()))
        if self.path == "/slow":
            time.sleep(2)
        if self.path == "/no-head" and method == "HEAD":
            status = 405
        elif self.path in ("/ok", "/no-head", "/slow"):
            status = 200
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        else:
            status = 404
        body = b"x" * 100
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method == "GET":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")


@contextlib.contextmanager
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def _clear() -> None:
    SEEN.clear()


def test_head_then_get_and_user_agent() -> None:
    agent = user_agent("https://example.org/contact")
    with server() as base, LinkChecker(agent, timeout=5, delay=0, allow_private=True) as checker:
        ok, no_head, missing, moved = (
            checker.check(base + p) for p in ("/ok", "/no-head", "/missing", "/moved")
        )
    assert (ok.ok, ok.status, ok.method) == (True, 200, "HEAD")
    assert (no_head.ok, no_head.status, no_head.method) == (True, 200, "GET")
    assert (missing.ok, missing.status, missing.method) == (False, 404, "GET")
    assert (moved.ok, moved.status) == (True, 200)
    assert [(m, p) for m, p, _, _ in SEEN] == [
        ("HEAD", "/ok"),
        ("HEAD", "/no-head"),
        ("GET", "/no-head"),
        ("HEAD", "/missing"),
        ("GET", "/missing"),
        ("HEAD", "/moved"),
        ("HEAD", "/ok"),
    ]
    assert {ua for _, _, ua, _ in SEEN} == {agent} and "govwatch/" in agent


@pytest.mark.slow
def test_delay_between_requests_to_one_host_and_timeouts() -> None:
    with (
        server() as base,
        LinkChecker("govwatch-test", timeout=0.5, delay=0.3, allow_private=True) as checker,
    ):
        checker.check(base + "/ok")
        checker.check(base + "/missing")  # HEAD and GET: two more requests, each after the delay
        slow = checker.check(base + "/slow")
    gaps = [b[3] - a[3] for a, b in zip(SEEN, SEEN[1:], strict=False)]
    # Times are taken where the server receives each request: scheduling on a busy machine can delay
    # one arrival more than the next by some tens of milliseconds. Without the delay the gaps are a
    # few milliseconds, so 0.2 s still tells the two apart.
    assert len(gaps) == 3 and min(gaps) >= 0.2, gaps
    assert (slow.ok, slow.status, slow.error) == (False, None, "timeout")


def test_unreachable_host_is_broken_not_raised() -> None:
    with server() as base:
        port = base.rsplit(":", 1)[1]
    with LinkChecker("govwatch-test", timeout=2, delay=0, allow_private=True) as checker:
        result = checker.check(f"http://127.0.0.1:{port}/gone")  # the server is shut: connection refused
    assert result.ok is False and result.status is None and result.error == "connect_error"
