"""The schedule: one APScheduler 3.x cron job per site, and the two ways of running it — the
long-running daemon (until SIGTERM/SIGINT) and ``--once`` (every due site once, then exit)."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor as PoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from crawler import clock
from crawler.config import Config, SiteConfig
from crawler.daemon import record
from crawler.daemon.crawlrun import CrawlRunner
from crawler.daemon.due import due_sites

SHUTDOWN_GRACE = 20.0  # seconds a crawl gets to end after SIGTERM at shutdown, before SIGKILL
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


def build_scheduler(config: Config, runner: CrawlRunner) -> BackgroundScheduler:
    grace = max(1, int(config.daemon.misfire_grace.total_seconds()))
    scheduler = BackgroundScheduler(
        executors={"default": PoolExecutor(max_workers=config.daemon.max_parallel)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=config.tzinfo,
    )
    for site in config.sites:
        scheduler.add_job(
            run_job,
            trigger=trigger(site, config),
            args=[runner, site.name],
            id=site.name,
            name=f"crawl {site.name}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=grace,
        )
    return scheduler


def run_job(runner: CrawlRunner, site: str) -> None:
    try:
        runner.run(site)
    except Exception as exc:  # one run's trouble is logged, never fatal to the daemon
        runner.log.emit("run_error", site=site, error=f"{type(exc).__name__}: {exc}")


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


def shut_down(runner: CrawlRunner, stop: StopFlag) -> None:
    stopped = runner.children.stop_all(SHUTDOWN_GRACE)
    runner.log.emit("stopping", signal=stop.signal, crawls=len(stopped))
    if not runner.children.wait_idle(BOOKKEEPING_GRACE):
        runner.log.emit("stop_timeout", note="bookkeeping still running; pending events stay in the outbox")


def serve_forever(runner: CrawlRunner, stop: StopFlag) -> int:
    config = runner.config
    reap_orphans(runner)
    deliver_leftovers(runner)
    scheduler = build_scheduler(config, runner)
    scheduler.start()
    for job in scheduler.get_jobs():
        runner.log.emit(
            "scheduled", site=job.id, schedule=config.site(job.id).schedule, next=job.next_run_time
        )
    runner.log.emit("daemon_started", sites=len(config.sites), max_parallel=config.daemon.max_parallel)
    while not stop.wait(1.0):
        pass
    scheduler.shutdown(wait=False)  # no new runs; queued ones return at once (children.stopping)
    shut_down(runner, stop)
    runner.log.emit("daemon_stopped")
    return 0


def run_once(runner: CrawlRunner, stop: StopFlag) -> int:
    """Run every due site once (``max_parallel`` at a time): 0 when all ended ok/partial, else 1."""
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
        return 0
    with ThreadPoolExecutor(max_workers=config.daemon.max_parallel, thread_name_prefix="once") as pool:
        futures: list[Future] = [pool.submit(runner.run, name) for name in sites]
        while wait(futures, timeout=1.0).not_done:
            if stop.event.is_set():
                shut_down(runner, stop)
                break
    outcomes = [f.result() for f in futures if f.exception() is None]
    failed = len(sites) - sum(1 for o in outcomes if o is not None and o.ok)
    return 0 if failed == 0 else 1
