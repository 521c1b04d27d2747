"""Serve a :class:`SampleSite` over real HTTP on 127.0.0.1 (a thread, or the foreground)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crawler.demo.site import SampleSite

TRANSPORT_FAULTS = ("reset", "slow", "truncated", "drip", "huge", "huge_unsized")


class _Handler(BaseHTTPRequestHandler):
    server_version = "SampleCMS/1.0"
    protocol_version = "HTTP/1.0"
    site: SampleSite

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        site = self.server.site  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        with site.lock:
            queue = site.faults.get(path)
            transport = queue[0] if queue and queue[0] in TRANSPORT_FAULTS else None
            if transport is None and site.sticky_faults.get(path) in TRANSPORT_FAULTS:
                transport = site.sticky_faults[path]
            elif transport:
                queue.pop(0)  # type: ignore[union-attr]
        latency = float(getattr(site, "latency", 0.0))
        if latency > 0:  # a slower server (kill trials spread a crawl over time with it)
            time.sleep(latency)
        if transport == "reset":
            site.hits[path] += 1
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.connection.close()
            return
        if transport == "slow":
            site.hits[path] += 1
            time.sleep(site_slow_seconds(site))
            with contextlib.suppress(OSError):
                self.connection.close()
            return
        resp = site.handle(method, self.path, body, dict(self.headers.items()))
        payload = resp.body
        if transport in ("huge", "huge_unsized"):  # 30 MB, with or without a Content-Length
            payload = b"<html><body>" + b"<p>x</p>" * (30 * 1024 * 1024 // 8) + b"</body></html>"
        try:
            self.send_response(resp.status)
            for key, value in resp.headers.items():
                self.send_header(key, value)
            declared = len(payload) * 2 if transport == "truncated" else len(payload)
            declared += resp.stream
            if transport != "huge_unsized" and not resp.unsized:  # HTTP/1.0: the body ends at close
                self.send_header("Content-Length", str(declared))
            # said, not only done: a client that keeps the connection for its next request (Twisted
            # pools HTTP/1.0 connections that do not say "close") would send it on a closed socket
            self.send_header("Connection", "close")
            self.end_headers()
            if method == "HEAD":
                return
            if resp.stream:
                self._stream(payload, resp.stream)
                return
            if transport == "drip":
                for i in range(0, len(payload), 64):
                    self.wfile.write(payload[i : i + 64])
                    self.wfile.flush()
                    time.sleep(0.5)
                return
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _stream(self, head: bytes, size: int) -> None:
        """``head`` then ``size`` zero bytes, a chunk at a time (never the whole file in memory)."""
        site = self.server.site  # type: ignore[attr-defined]
        self.wfile.write(head)
        chunk = b"\0" * 65536
        sent = 0
        while sent < size:
            piece = chunk if size - sent >= len(chunk) else chunk[: size - sent]
            self.wfile.write(piece)
            sent += len(piece)
            with site.lock:
                site.bytes_served += len(piece)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")


def site_slow_seconds(site: SampleSite) -> float:
    return float(getattr(site, "slow_seconds", 60.0))


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, site: SampleSite, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {})
        super().__init__((host, port), handler)
        self.site = site

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"


@contextlib.contextmanager
def serve(site: SampleSite, host: str = "127.0.0.1", port: int = 0) -> Iterator[SiteServer]:
    """Run the site in a background thread for the duration of the block."""
    server = SiteServer(site, host, port)
    thread = threading.Thread(target=server.serve_forever, name="sample-site", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
