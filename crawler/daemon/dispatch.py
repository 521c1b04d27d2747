"""Due sites into batches: the sites that come due together (within ``GATHER`` seconds, or while
every crawl process is busy) are crawled by one crawl process of up to ``crawl.batch_size`` sites
(more sites: spread evenly over as many batches as they need), at most ``daemon.max_parallel``
processes at once.

A site is waiting (due, no process free yet) or busy (its batch is being crawled) until its batch
ended; a site due again meanwhile is skipped, so runs of one site never overlap. A site that waited
longer than ``daemon.misfire_grace`` for a crawl process is missed, as APScheduler misses a run
that could not start in time; the schedule brings it back.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from crawler.daemon.logs import DaemonLog

#: seconds the first due site waits for others to come due and share its crawl process
GATHER = 2.0


class Dispatcher:
    """``submit(site, …)`` when sites come due; ``run_batch(sites)`` crawls one batch (a thread each)."""

    def __init__(
        self,
        run_batch: Callable[[list[str]], Any],
        log: DaemonLog,
        *,
        batch_size: int,
        max_parallel: int,
        misfire_grace: float | None,
        gather: float = GATHER,
    ) -> None:
        self.run_batch = run_batch
        self.log = log
        self.batch_size = max(1, batch_size)
        self.max_parallel = max(1, max_parallel)
        self.misfire_grace = misfire_grace
        self.gather = gather
        self._cond = threading.Condition()
        self._waiting: dict[str, float] = {}  # site -> when it came due (time.monotonic), oldest first
        self._busy: set[str] = set()
        self._batches = 0
        self.stopping = False
        self._thread = threading.Thread(target=self._loop, name="dispatch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, *sites: str) -> list[str]:
        """Queue the sites that came due; returns those queued (a site waiting or busy is skipped)."""
        queued = []
        with self._cond:
            if self.stopping:
                return []
            now = time.monotonic()
            for site in sites:
                if site in self._busy or site in self._waiting:
                    why = "its previous run is still going" if site in self._busy else "already waiting"
                    self.log.emit("run_skipped", site=site, why=why)
                    continue
                self._waiting[site] = now
                queued.append(site)
            self._cond.notify_all()
        return queued

    # -- the loop ------------------------------------------------------------------------------------
    def _loop(self) -> None:
        with self._cond:
            while not self.stopping:
                wait = self._next_batch_in()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                sites = self._take()
                if sites:
                    self._batches += 1
                    self._busy.update(sites)
                    threading.Thread(target=self._run, args=(sites,), name="batch", daemon=True).start()

    def _next_batch_in(self) -> float:
        """Seconds until a batch may start (0: now); called with the lock held."""
        if not self._waiting or self._batches >= self.max_parallel:
            return 1.0
        if len(self._waiting) >= self.batch_size:
            return 0.0
        first = next(iter(self._waiting.values()))
        return max(0.0, first + self.gather - time.monotonic())

    def _take(self) -> list[str]:
        """The oldest waiting sites, as many as an even spread over the batches they need (at most
        ``batch_size``); those past ``misfire_grace`` are missed."""
        now = time.monotonic()
        batches = math.ceil(len(self._waiting) / self.batch_size)
        size = math.ceil(len(self._waiting) / batches)
        sites: list[str] = []
        for site, since in list(self._waiting.items()):
            if len(sites) >= size:
                break
            del self._waiting[site]
            if self.misfire_grace is not None and now - since > self.misfire_grace:
                late = f"{now - since:.0f}s"
                self.log.emit("run_missed", site=site, waited=late, note="no crawl process free in time")
                continue
            sites.append(site)
        return sites

    def _run(self, sites: list[str]) -> None:
        try:
            self.run_batch(sites)
        except Exception as exc:  # one batch's trouble is logged, never fatal to the daemon
            self.log.emit("run_error", sites=",".join(sites), error=f"{type(exc).__name__}: {exc}")
        finally:
            with self._cond:
                self._busy.difference_update(sites)
                self._batches -= 1
                self._cond.notify_all()

    # -- the end ---------------------------------------------------------------------------------------
    def stop(self) -> list[str]:
        """No batch starts any more; the sites still waiting (never begun) are dropped and returned."""
        with self._cond:
            self.stopping = True
            dropped = list(self._waiting)
            self._waiting.clear()
            self._cond.notify_all()
        return dropped

    @property
    def idle(self) -> bool:
        with self._cond:
            return not self._waiting and not self._busy

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no site waits and no batch runs; False when ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._waiting or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 1.0))
        return True

    def busy(self) -> Iterable[str]:
        with self._cond:
            return sorted(self._busy)
