"""Every crawl ends by its ``max_duration`` plus ``GRACE``, whatever a server does.

Three layers hold the bound:

1. Scrapy stops scheduling at ``max_duration`` (``CLOSESPIDER_TIMEOUT``) and every download has a
   total timeout (``DOWNLOAD_TIMEOUT``, headers and body alike: a server that drips its headers is cut
   off), at most ``MAX_DOWNLOAD_TIMEOUT`` seconds, so the downloads still in flight end within it;
   retry back-offs never wait past ``max_duration`` (``crawler.crawl.middlewares``).
2. The site-health checks after the crawl (link checks) end by ``max_duration`` itself.
3. A watchdog thread: should anything still run ``GRACE`` seconds after the last site's
   ``max_duration``, it records the unfinished runs as ``failed`` (a separate connection), says so in
   one line and ends the process. Nothing stored is lost: every record is its own transaction.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

#: how long a crawl may outlive its ``max_duration``
GRACE = 30.0
#: the watchdog acts this long before ``GRACE`` runs out (its own work takes a moment)
MARGIN = 3.0


class Watchdog:
    """``Watchdog(database, deadline)``: ``deadline`` a ``time.monotonic()`` instant (the latest site's
    start + ``max_duration``); ``watch(run_id, site)`` for each run; ``stop()`` once the crawl ended."""

    def __init__(
        self,
        database: Path,
        deadline: float,
        *,
        grace: float = GRACE,
        exit: Callable[[int], None] = os._exit,
    ) -> None:
        self.database = database
        self.deadline = deadline
        self.grace = grace
        self.runs: dict[int, str] = {}
        self._exit = exit
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="govwatch-watchdog", daemon=True)

    def watch(self, run_id: int, site: str) -> None:
        self.runs[run_id] = site

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()

    def __enter__(self) -> Watchdog:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        wait = self.deadline + self.grace - MARGIN - time.monotonic()
        if self._done.wait(timeout=max(0.0, wait)):
            return
        self._expire()

    def _expire(self) -> None:
        late = round(self.grace - MARGIN)
        message = f"still running {late} s after max_duration: stopped"
        try:
            from crawler.store import Store

            with Store(self.database, timeout=2) as store:
                for run_id in self.runs:
                    if (store.run(run_id) or {}).get("status") == "running":
                        store.finish_run(run_id, "failed", {"notes": {"error": message}})
        except Exception as exc:  # the next run finishes them as interrupted
            print(
                f"govwatch: error: could not record the stopped runs: {type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
        for run_id, site in sorted(self.runs.items()):
            print(f"govwatch: {site}: run {run_id} {message}", file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        self._exit(1)
