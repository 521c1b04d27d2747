"""Serve N generated government sites, each on its own loopback address (the national-scale bench).

    python bench/scalegen.py N PORT [--publish FRACTION] [--round K]

Site ``i`` answers at ``http://127.10.{i // 200}.{i % 200 + 1}:PORT`` — a host of its own, so the
crawler keeps a download slot (and its politeness) per site, as with real government hosts. Each
site has 3 columns of 20 releases dated well before the revisit window; even sites are Hanweb, odd
ones TRS. Sites are built on their first request (10,000 sites would otherwise take minutes before
serving). With ``--publish``, that share of sites (every ``1/FRACTION``-th, from the middle) lists
one release more, dated the day before the benchmark's clock; ``--round K`` shifts those sites by K
(a later 1% cycle against an archive that already had K): the releases of the K earlier rounds
(``ROUND_SHARE`` each) stay listed, with or without ``--publish``.

One process, one thread per request (the stdlib's threading server), one selector over every
listening socket: it runs in its own process so the crawl being measured does not share it.
"""

from __future__ import annotations

import argparse
import itertools
import selectors
import socketserver
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.demo.server import SiteServer  # noqa: E402
from crawler.demo.site import SampleSite  # noqa: E402

COLUMNS = (
    ("1229037214", "发布实录", "new"),
    ("1229037215", "通知公告", "old"),
    ("1229037216", "政策文件", "new"),
)
PER_COLUMN = 20
#: the newest release of every site (the benchmark's clock is months later: no revisit is due)
NEWEST = date(2022, 6, 1)
PUBLISHED = date(2022, 9, 14)
#: the share of sites that publish in each round (bench/scale.py's 1% cycle)
ROUND_SHARE = 0.01
#: release ids per site (ids, 索引号 and URLs differ between sites)
STRIDE = 100


def address(i: int) -> str:
    return f"127.10.{i // 200}.{i % 200 + 1}"


def profile(i: int) -> str:
    return "hanweb" if i % 2 == 0 else "trs"


def publishes(i: int, fraction: float, shift: int = 0) -> bool:
    if fraction <= 0:
        return False
    step = max(1, round(1 / fraction))
    return i % step == (step // 2 + shift) % step


def build(i: int, publish: float = 0.0, shift: int = 0) -> SampleSite:
    """Site ``i``: 3 columns × 20 releases, one a day going back from ``NEWEST``."""
    site = SampleSite(profile=profile(i))
    site._ids = itertools.count(10_000_000 + i * STRIDE)  # noqa: SLF001 - distinct ids per site
    for cid, name, form in COLUMNS:
        site.add_column(cid, name, form=form, per_page=PER_COLUMN + 5)
    ids = [c[0] for c in COLUMNS]
    for n in range(len(COLUMNS) * PER_COLUMN):
        site.add_page(ids[n % len(ids)], day=NEWEST - timedelta(days=n), top=False)
    for earlier in range(shift):  # what earlier rounds published stays listed
        if publishes(i, ROUND_SHARE, earlier):
            site.add_page(ids[0], day=PUBLISHED, title=f"关于第{i}号站点新增政策文件的通知")
    if publishes(i, publish, shift):
        site.add_page(ids[0], day=PUBLISHED, title=f"关于第{i}号站点新增政策文件的通知")
    return site


class LazySiteServer(SiteServer):
    """A site server whose site is built on its first request."""

    def __init__(self, i: int, port: int, publish: float, shift: int = 0) -> None:
        self.number, self.publish, self.shift = i, publish, shift
        self._site: SampleSite | None = None
        self._build = threading.Lock()
        super().__init__(None, host=address(i), port=port)  # type: ignore[arg-type]

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse lookup of the address (``socket.getfqdn``): with no
        resolver answering, 10,000 of them took a quarter of an hour before the first request."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property  # type: ignore[override]
    def site(self) -> SampleSite:
        with self._build:
            if self._site is None:
                self._site = build(self.number, self.publish, self.shift)
            return self._site

    @site.setter
    def site(self, value: SampleSite | None) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("port", type=int)
    parser.add_argument("--publish", type=float, default=0.0)
    parser.add_argument("--round", type=int, default=0, help="shift the publishing sites by this many")
    args = parser.parse_args()
    selector = selectors.DefaultSelector()
    for i in range(args.n):
        server = LazySiteServer(i, args.port, args.publish, args.round)
        selector.register(server.socket, selectors.EVENT_READ, server)
    print(f"serving {args.n} sites", flush=True)
    while True:
        for key, _ in selector.select():
            key.data._handle_request_noblock()  # noqa: SLF001 - one loop over many servers


if __name__ == "__main__":
    main()
