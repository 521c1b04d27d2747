"""The schedule: one APScheduler 3.x cron job per site, handing the site to the dispatcher when it
comes due, and the two ways of running it — the long-running daemon (until SIGTERM/SIGINT) and
``--once`` (every due site once, in batches, then exit)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor as PoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from crawler import clock
from crawler.config import Config, SiteConfig
from crawler.daemon import record
from crawler.daemon.crawlrun import CrawlRunner
from crawler.daemon.dispatch import GATHER, Dispatcher
from crawler.daemon.due import due_sites

SHUTDOWN_GRACE = 20.0  # seconds a crawl process gets to end after SIGTERM (the supervisor's KILL_GRACE)
BOOKKEEPING_GRACE = 30.0  # seconds, after the crawls ended, for recording and delivery


class StopFlag:
    """Set by SIGTERM / SIGINT (handlers run in the main thread; the main thread polls the flag)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal: int | None = None

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, _frame: Any) -> None:
        self.signal = signum
        self.event.set()

    def wait(self, timeout: float) -> bool:
        return self.event.wait(timeout)


def trigger(site: SiteConfig, config: Config) -> Any:
    trig = site.cron_trigger(config.timezone)
    jitter = int(config.daemon.jitter.total_seconds())
    trig.jitter = jitter or None
    return trig


def build_scheduler(config: Config, dispatcher: Dispatcher) -> BackgroundScheduler:
    """One cron job per site; a job only hands its site to the dispatcher, which batches the sites
    that come due together (so the executor's few threads are never all busy)."""
    grace = max(1, int(config.daemon.misfire_grace.total_seconds()))
    scheduler = BackgroundScheduler(
        executors={"default": PoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=config.tzinfo,
    )
    for site in config.sites:
        scheduler.add_job(
            dispatcher.submit,
            trigger=trigger(site, config),
            args=[site.name],
            id=site.name,
            name=f"crawl {site.name}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=grace,
        )
    return scheduler


def dispatcher_for(runner: CrawlRunner, *, misfire: bool) -> Dispatcher:
    daemon = runner.config.daemon
    return Dispatcher(
        runner.run_batch,
        runner.log,
        batch_size=runner.config.crawl.batch_size,
        max_parallel=daemon.max_parallel,
        misfire_grace=daemon.misfire_grace.total_seconds() if misfire else None,
        gather=GATHER if misfire else 0.0,
    )


def reap_orphans(runner: CrawlRunner) -> None:
    """Runs left ``running`` by crawls that are gone (the daemon or a crawl was killed): finish them
    ``failed``, for every site whose lock no crawl holds."""
    store = runner.store()
    try:
        for site in runner.config.sites:
            notes = {"error": "orphaned: its crawl ended without finishing the run", "by": "daemon"}
            ids = record.fail_unfinished(store, runner.database, site.name, 0, notes)
            if ids:
                runner.log.emit("orphans_failed", site=site.name, runs=ids)
    finally:
        store.close()


def deliver_leftovers(runner: CrawlRunner) -> None:
    """Events a previous daemon recorded but did not deliver (it was killed between a crawl and its
    delivery) go out now, before anything new is crawled."""
    store = runner.store()
    try:
        runner.deliver(store, "*")
    finally:
        store.close()


def shut_down(runner: CrawlRunner, dispatcher: Dispatcher, stop: StopFlag) -> bool:
    """No new batch; every crawl process stopped (SIGTERM, SIGKILL after the supervisor's grace),
    its unfinished runs recorded stopped by the shutdown, their lines written and events delivered.
    False when that bookkeeping overran its bound."""
    dispatcher.stop()
    crawls = runner.stop_all()
    runner.log.emit("stopping", signal=stop.signal, crawls=crawls)
    if not dispatcher.wait_idle(SHUTDOWN_GRACE + BOOKKEEPING_GRACE):
        runner.log.emit("stop_timeout", note="bookkeeping still running; pending events stay in the outbox")
        return False
    return True


def serve_forever(runner: CrawlRunner, stop: StopFlag) -> bool:
    """Crawl on schedule until SIGTERM/SIGINT; False when the shutdown's bookkeeping overran."""
    config = runner.config
    reap_orphans(runner)
    deliver_leftovers(runner)
    dispatcher = dispatcher_for(runner, misfire=True)
    dispatcher.start()
    scheduler = build_scheduler(config, dispatcher)
    scheduler.start()
    for job in scheduler.get_jobs():
        runner.log.emit(
            "scheduled", site=job.id, schedule=config.site(job.id).schedule, next=job.next_run_time
        )
    runner.log.emit(
        "daemon_started",
        sites=len(config.sites),
        max_parallel=config.daemon.max_parallel,
        batch_size=config.crawl.batch_size,
    )
    while not stop.wait(1.0):
        pass
    scheduler.shutdown(wait=False)  # no new runs
    clean = shut_down(runner, dispatcher, stop)
    runner.log.emit("daemon_stopped")
    return clean


def run_once(runner: CrawlRunner, stop: StopFlag) -> tuple[int, bool]:
    """Run every due site once, in batches: exit status 0 when all ended ok/partial, else 1; and
    False when a shutdown's bookkeeping overran."""
    config = runner.config
    reap_orphans(runner)
    deliver_leftovers(runner)
    store = runner.store()
    try:
        now = clock.now()
        plan = due_sites(config, store, now)
    finally:
        store.close()
    for site, is_due, why in plan:
        runner.log.emit("due" if is_due else "not_due", site=site.name, now=now, why=why)
    sites = [site.name for site, is_due, _ in plan if is_due]
    if not sites:
        return 0, True
    dispatcher = dispatcher_for(runner, misfire=False)
    dispatcher.submit(*sites)
    dispatcher.start()
    clean = True
    while not dispatcher.wait_idle(1.0):
        if stop.event.is_set():
            clean = shut_down(runner, dispatcher, stop)
            break
    dispatcher.stop()
    failed = [name for name in sites if not (name in runner.outcomes and runner.outcomes[name].ok)]
    return (0 if not failed else 1), clean
