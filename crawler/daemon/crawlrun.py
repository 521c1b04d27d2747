"""One daemon batch: the sites that came due together, crawled by the batch supervisor
(``crawler.crawl.batches``) — one ``crawl --batch-child`` process, the daemon's ``run_timeout``
applied to each site's run, a process that dies bisected until the site that kills it runs alone.

While the supervisor works, the batch's runs are watched in the store: a ``run_start`` line when a
site's run begins, a ``run_end`` line when it ended (finished by its crawl process, or by the
supervisor for a process that died or was stopped), and the pending events handed to the sinks as
soon as a run ended — its events were committed before its run row was finished."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.config import Config, SiteConfig
from crawler.crawl.batches import Supervisor
from crawler.daemon.logs import DaemonLog
from crawler.daemon.record import Outcome

if TYPE_CHECKING:
    from crawler.store import Store

#: seconds between two looks at the batch's runs
POLL = 0.5


@dataclass
class CrawlRunner:
    config_path: Path
    config: Config
    database: Path
    log: DaemonLog
    #: set at shutdown: no crawl process starts, the running ones are stopped (SIGTERM, then SIGKILL)
    stopping: threading.Event = field(default_factory=threading.Event)
    #: each site's last run, as its ``run_end`` line said
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    _supervisors: set[Supervisor] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def run_timeout(self) -> float:
        return self.config.daemon.run_timeout.total_seconds()

    def store(self) -> Store:
        from crawler.store import Store

        return Store(self.database)

    def crawl_pids(self) -> list[int]:
        """The crawl processes running now."""
        with self._lock:
            return [pid for supervisor in self._supervisors for pid in supervisor.pids]

    def run_batch(self, names: list[str]) -> list[Outcome]:
        """Crawl ``names`` in one batch; the runs that ended (several for a site its process died under)."""
        if self.stopping.is_set():
            return []
        sites = [self.config.site(name) for name in names]
        with self.store() as store:
            watch = RunWatch(self, names, store.last_run_id())
            supervisor = Supervisor(
                self.config,
                self.config_path,
                self.database,
                run_timeout=self.run_timeout,
                parallel=1,  # a batch holds one of the daemon's max_parallel places; halves run in turn
                on_start=watch.process_started,
                on_runs=lambda _results: watch.wake.set(),
                stopping=self.stopping.is_set,
            )
            with self._lock:
                self._supervisors.add(supervisor)
            done = threading.Event()
            thread = threading.Thread(
                target=self._supervise, args=(supervisor, sites, done, watch), name="supervisor", daemon=True
            )
            thread.start()
            try:
                while not done.is_set():
                    watch.poll(store)
                    watch.wake.wait(POLL)
                    watch.wake.clear()
                thread.join()
            finally:
                with self._lock:
                    self._supervisors.discard(supervisor)
            watch.poll(store)
        return watch.outcomes

    def _supervise(
        self, supervisor: Supervisor, sites: list[SiteConfig], done: threading.Event, watch: RunWatch
    ) -> None:
        try:
            supervisor.run(sites)
        except Exception as exc:  # logged; the runs it left are settled by the next start's reaping
            names = ",".join(s.name for s in sites)
            self.log.emit("run_error", sites=names, error=f"{type(exc).__name__}: {exc}")
        finally:
            done.set()
            watch.wake.set()

    def stop_all(self) -> int:
        """Stop every crawl process: each supervisor, seeing ``stopping``, sends its process one
        SIGTERM (a second would make Scrapy stop uncleanly), SIGKILL after its grace, and records
        the runs left unfinished as stopped by the shutdown. Returns how many processes ran."""
        self.stopping.set()
        return len(self.crawl_pids())

    def deliver(self, store: Store, site: str) -> None:
        """Hand pending events to the sinks; what fails stays in the outbox for the next delivery."""
        from crawler.report import deliver_pending

        try:
            delivered = deliver_pending(store, self.config)
        except Exception as exc:  # a sink's failure must not stop the daemon
            self.log.emit("delivery_error", site=site, error=f"{type(exc).__name__}: {exc}")
            return
        if any(delivered.values()):
            self.log.emit("delivered", site=site, **{k: v for k, v in delivered.items()})


class RunWatch:
    """The runs of one batch's sites (run ids above ``before``), as the store shows them."""

    def __init__(self, runner: CrawlRunner, names: list[str], before: int) -> None:
        self.runner = runner
        self.names = set(names)
        self.before = before
        self.wake = threading.Event()
        self.pid: int | None = None
        self.begun: dict[int, tuple[float, int | None]] = {}  # run id -> (seen at, crawl process)
        self.ended: set[int] = set()
        self.site_of: dict[int, str] = {}
        self.foreign: set[int] = set()  # runs of these sites another crawl recorded
        self.outcomes: list[Outcome] = []

    def process_started(self, sites: list[str], pid: int) -> None:
        self.pid = pid
        self.runner.log.emit("batch_start", pid=pid, sites=len(sites))

    def poll(self, store: Store) -> None:
        """Lines for the runs begun and ended since the last look; deliveries once any ended."""
        ended: list[str] = []
        live = {self.site_of[r] for r in self.begun if r not in self.ended}
        for row in store.runs_after(self.before):
            site, run_id = row["site"], int(row["id"])
            if site not in self.names or run_id in self.ended or run_id in self.foreign:
                continue
            if row["status"] == "skipped" and site in live and run_id not in self.begun:
                # a manual crawl refused while this batch holds the site's lock: not this batch's run
                self.foreign.add(run_id)
                continue
            if run_id not in self.begun:
                self.site_of[run_id] = site
                self.begun[run_id] = (time.monotonic(), self.pid)
                self.runner.log.emit("run_start", site=site, run=run_id, pid=self.pid)
            if row["status"] == "running":
                live.add(site)
            else:
                live.discard(site)
                self.ended.add(run_id)
                seen, pid = self.begun[run_id]
                outcome = Outcome.of_run(store.run(run_id) or {}, time.monotonic() - seen, pid)
                self.outcomes.append(outcome)
                self.runner.outcomes[site] = outcome
                self.runner.log.emit("run_end", **outcome.fields())
                ended.append(site)
        if ended:
            self.runner.deliver(store, ended[0] if len(ended) == 1 else "*")
