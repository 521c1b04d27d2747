"""Every crawl ends by its ``max_duration`` plus ``GRACE``, whatever a server does.

Three layers hold the bound:

1. Scrapy stops scheduling at ``max_duration`` (``CLOSESPIDER_TIMEOUT``) and every download has a
   total timeout (``DOWNLOAD_TIMEOUT``, headers and body alike: a server that drips its headers is cut
   off), at most ``MAX_DOWNLOAD_TIMEOUT`` seconds, so the downloads still in flight end within it;
   retry back-offs never wait past ``max_duration`` (``crawler.crawl.middlewares``).
2. The site-health checks after the crawl (link checks) end by ``max_duration`` itself.
3. A watchdog thread: should a site's run still be going ``GRACE`` seconds after its own
   ``max_duration`` (each site of a batch has its own, from when its run began), it records the
   unfinished runs as ``failed`` (a separate connection), says so in one line and ends the process.
   Nothing committed is lost. A crawl process run by the batch supervisor (``crawler.crawl.batches``)
   records nothing and exits with ``STALLED``: the supervisor settles the runs and re-runs the sites
   in smaller batches to find the one that held the process.
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
#: the exit status of a supervised crawl process the watchdog stopped
STALLED = 70


class Watchdog:
    """``Watchdog(database, deadline)``: ``deadline`` a ``time.monotonic()`` instant (a run's start +
    ``max_duration``); ``watch(run_id, site, deadline=None)`` for each run (its own deadline, else
    ``deadline``), ``done(run_id)`` once it is finished; ``stop()`` once the crawl ended.
    ``record=False``: a supervised process — record nothing, exit with ``STALLED``."""

    def __init__(
        self,
        database: Path,
        deadline: float | None = None,
        *,
        grace: float = GRACE,
        exit: Callable[[int], None] = os._exit,
        record: bool = True,
    ) -> None:
        self.database = database
        self.deadline = deadline
        self.grace = grace
        self.record = record
        self.runs: dict[int, str] = {}
        self.deadlines: dict[int, float] = {}
        self._exit = exit
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="govwatch-watchdog", daemon=True)

    def watch(self, run_id: int, site: str, deadline: float | None = None) -> None:
        when = deadline if deadline is not None else self.deadline
        with self._lock:
            self.runs[run_id] = site
            if when is not None:
                self.deadlines[run_id] = when
        self._changed.set()

    def done(self, run_id: int) -> None:
        """The run is finished: it no longer holds the process."""
        with self._lock:
            self.runs.pop(run_id, None)
            self.deadlines.pop(run_id, None)
        self._changed.set()

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        self._changed.set()

    def __enter__(self) -> Watchdog:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._done.is_set():
            with self._lock:
                earliest = min(self.deadlines.values(), default=None)
            if earliest is None:
                self._changed.wait(timeout=1.0)
                self._changed.clear()
                continue
            wait = earliest + self.grace - MARGIN - time.monotonic()
            if wait <= 0:
                self._expire()
                return
            self._changed.wait(timeout=min(wait, 1.0))
            self._changed.clear()

    def _expire(self) -> None:
        late = round(self.grace - MARGIN)
        message = f"still running {late} s after max_duration: stopped"
        with self._lock:
            runs = dict(self.runs)
        if self.record:
            try:
                from crawler.store import Store

                with Store(self.database, timeout=2) as store:
                    for run_id in runs:
                        if (store.run(run_id) or {}).get("status") == "running":
                            store.finish_run(run_id, "failed", {"notes": {"error": message}})
            except Exception as exc:  # the next run finishes them as interrupted
                print(
                    f"govwatch: error: could not record the stopped runs: {type(exc).__name__}: {exc}",
                    file=sys.stderr,
                )
        for run_id, site in sorted(runs.items()):
            print(f"govwatch: {site}: run {run_id} {message}", file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        self._exit(1 if self.record else STALLED)
