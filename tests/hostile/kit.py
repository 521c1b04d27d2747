"""Hostile sites on loopback: HTTP servers whose every answer a test writes (list pages naming other
hosts, ports and schemes, drip-fed headers, silent ports, captchas, gzip bombs), release pages that
normalize as releases, and a config for them."""

from __future__ import annotations

import contextlib
import html
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.helpers import FAST, write_config

#: "now" for crawls of these sites: their releases are dated 2022-09
NOW = "2022-09-15T09:00:00+08:00"
ITEM_LINKS = "ul.list li a"
NEXT_PAGE = "a.next"

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[BaseHTTPRequestHandler], Answer | None]


def release_html(
    title: str,
    index_no: str | None,
    paragraphs: list[str],
    *,
    day: str = "2022-09-14",
    links: list[tuple[str, str]] = (),  # type: ignore[assignment]
    escape: bool = True,
) -> str:
    """A Hanweb-style release page (disclosure block, ``#zoom`` body). ``escape=False`` puts the title
    and paragraphs into the page as they are (hostile markup, control characters)."""
    e = html.escape if escape else (lambda s: s)
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
    body += "".join(f'<p><a href="{html.escape(u)}">{html.escape(t)}</a></p>' for t, u in links)
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{e(title)}</title>
<meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="PubDate" content="{day} 09:00"><meta name="ContentSource" content="市政府办公室">
</head><body>
<div class="main">
<table class="xxgk_table">
<tr><td class="bt">索引号:</td><td class="nr">{html.escape(index_no or "")}</td><td class="bt">成文日期:</td><td class="nr">{day}</td></tr>
<tr><td class="bt">发布机构:</td><td class="nr">市政府办公室</td><td class="bt">有效性:</td><td class="nr"></td></tr>
</table>
<div class="title">{e(title)}</div>
<!--ZJEG_RSS.content.begin--><meta name="ContentStart"><div id="zoom">
{body}
</div><meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
</div></body></html>"""


def list_html(items: list[tuple[str, str]], next_href: str | None = None, *, day: str = "2022-09-14") -> str:
    """A column list page for the generic profile: ``items`` are ``(href, title)``, written into the
    page as they are (hrefs are hostile on purpose)."""
    lis = "\n".join(
        f'<li><a href="{href}">{html.escape(title)}</a> <span>{day}</span></li>' for href, title in items
    )
    nxt = f'<a class="next" href="{next_href}">下一页</a>' if next_href else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告</title></head>
<body><ul class="list">
{lis}
</ul>{nxt}</body></html>"""


def paragraphs(n: int, seed: str = "") -> list[str]:
    return [
        f"{seed}衢州市人民政府办公室关于做好第{i}项工作的通知，请各地各部门认真贯彻落实，确保取得实效。"
        for i in range(n)
    ]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: HostileServer

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, method: str) -> None:
        site = self.server.site
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        site.record(method, self.path, dict(self.headers.items()))
        route = site.route_for(self.path)
        if route is None:
            answer: Answer | None = (
                404,
                {"Content-Type": "text/html"},
                b"<html><body>404 Not Found</body></html>",
            )
        else:
            answer = route(self)
        if answer is None:  # the route wrote (or refused to write) the answer itself
            return
        status, headers, body = answer
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer("HEAD")


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, site: HostileSite, host: str) -> None:
        super().__init__((host, 0), _Handler)
        self.site = site


class HostileSite:
    """An HTTP server on ``host`` (127.0.0.1 by default, port 0) answering what the test set."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.prefixes: list[tuple[str, Route]] = []
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.server: HostileServer | None = None

    # -- what it answers ---------------------------------------------------------------------------
    def page(
        self, path: str, body: str | bytes, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        head = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        self.routes[path] = lambda _h: (status, head, data)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = lambda _h: (status, {"Location": location}, b"")

    def route(self, path: str, fn: Route) -> None:
        self.routes[path] = fn

    def prefix(self, prefix: str, fn: Route) -> None:
        self.prefixes.append((prefix, fn))

    def route_for(self, raw_path: str) -> Route | None:
        path = raw_path.split("?", 1)[0]
        with self.lock:
            if path in self.routes:
                return self.routes[path]
            for prefix, fn in self.prefixes:
                if path.startswith(prefix):
                    return fn
        return None

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.hits[path.split("?", 1)[0]] += 1
            self.requests.append((method, path, headers))

    # -- where it is -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "") -> str:
        return self.base + path

    def __enter__(self) -> HostileSite:
        self.server = HostileServer(self, self.host)
        threading.Thread(target=self.server.serve_forever, name=f"hostile-{self.host}", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def drip_headers(interval: float = 0.5, forever: float = 600.0) -> Route:
    """Answer with a status line and then one header byte every ``interval`` seconds, never ending."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        deadline = time.monotonic() + forever
        try:
            handler.wfile.write(b"HTTP/1.0 200 OK\r\n")
            handler.wfile.flush()
            while time.monotonic() < deadline:
                handler.wfile.write(b"X")
                handler.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass
        return None

    return route


class SilentPort:
    """A TCP port on 127.0.0.1 that accepts connections and never says anything; counts them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.accepted = 0
        self.held: list[socket.socket] = []
        self._stop = False

    def _run(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            self.held.append(conn)

    def __enter__(self) -> SilentPort:
        threading.Thread(target=self._run, name="silent-port", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        for conn in self.held:
            with contextlib.suppress(OSError):
                conn.close()
        self.sock.close()


def site_config(
    tmp: Path,
    site: HostileSite,
    columns: list[str],
    *,
    name: str = "hostile",
    sinks: list[dict[str, Any]] | None = None,
    top: dict[str, Any] | None = None,
    **overrides: Any,
) -> Path:
    """A config watching ``site`` (generic profile) with the given column paths."""
    entry: dict[str, Any] = {
        "name": name,
        "base_url": site.base,
        "profile": "generic",
        "generic": {"item_links": ITEM_LINKS, "next_page": NEXT_PAGE},
        "columns": [{"name": f"栏目{i}", "url": site.url(p), "kind": "other"} for i, p in enumerate(columns)],
        "politeness": dict(FAST),
        "revisit": "always",
    }
    entry.update(overrides)
    return write_config(tmp, [entry], sinks=sinks or [{"type": "console"}], **(top or {}))


@contextlib.contextmanager
def serving(*sites: HostileSite) -> Iterator[tuple[HostileSite, ...]]:
    with contextlib.ExitStack() as stack:
        yield tuple(stack.enter_context(s) for s in sites)


class _DualServer(HostileServer):
    """Plain HTTP and TLS on one port: a connection whose first byte opens a TLS handshake is wrapped."""

    def __init__(self, site: DualSite, host: str) -> None:
        super().__init__(site, host)
        self.tls = site.tls

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = self.socket.accept()
        conn.settimeout(10)
        try:
            first = conn.recv(1, socket.MSG_PEEK)
            if first == b"\x16":
                conn = self.tls.wrap_socket(conn, server_side=True)
        except OSError:
            pass
        conn.settimeout(None)
        return conn, addr


class DualSite(HostileSite):
    def __init__(self, tls: Any, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.tls = tls
        self.tls_requests: list[str] = []

    def is_tls(self, handler: BaseHTTPRequestHandler) -> bool:
        import ssl

        secure = isinstance(handler.connection, ssl.SSLSocket)
        if secure:
            self.tls_requests.append(handler.path)
        return secure

    def __enter__(self) -> DualSite:
        self.server = _DualServer(self, self.host)
        threading.Thread(target=self.server.serve_forever, name="dual", daemon=True).start()
        return self


def without_file_override() -> None:
    """``preexec_fn``: a child that cannot write what its permissions forbid, even as root (drops
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set before exec)."""
    import os

    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def govwatch(
    *args: str, cwd: Path, now: str | None = NOW, preexec_fn: Any = None, timeout: float = 300
) -> Any:
    """``python -m crawler ARGS`` as a real subprocess; returns the CompletedProcess (text)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("GOVWATCH_NOW", None)
    if now:
        env["GOVWATCH_NOW"] = now
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        preexec_fn=preexec_fn,
    )


@contextlib.contextmanager
def serving_archive(*args: str, cwd: Path, preexec_fn: Any = None) -> Iterator[Any]:
    """``govwatch serve ARGS --port FREE`` until it answers (``tests.browse.browsekit.Server``)."""
    from tests.browse.browsekit import serve

    with serve(*args, db_name="govwatch", cwd=cwd, preexec_fn=preexec_fn) as server:
        yield server
