"""Crawl a batch of sites in this process: one Scrapy reactor, one spider, one run row per site.

``crawl(config, sites, store, database)`` takes each site's lock (a site locked by another crawl is
``skipped``), finishes its orphaned runs and upgrades what an older normalizer stored, then runs the
spider over the batch (``crawler.crawl.spider``). Each site's run is its own: when it ends, its
queued writes are committed and its after-crawl checks (staleness, link checks, scorecard:
``crawler.health``) and run row are settled by a pool of worker threads, each with its own store
connection, while the other sites go on crawling. The store's writes during the crawl are grouped
(``store.group_commit()``): one transaction per short interval.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import resource
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess

from crawler import clock, heap
from crawler.config import Config, SiteConfig
from crawler.crawl.cores import judge_after, judge_in_worker
from crawler.crawl.deadline import Watchdog
from crawler.crawl.judging import JudgeWorker
from crawler.crawl.lock import SiteLock, SiteLocked
from crawler.crawl.pipelines import integrity_flags
from crawler.crawl.result import RunResult
from crawler.crawl.settings import batch_settings
from crawler.crawl.sitecrawl import SiteCrawl
from crawler.crawl.spider import GovSpider
from crawler.model import Flag, Release
from crawler.normalize import NORMALIZER_VERSION, Document, normalize_document
from crawler.store import Store, storage_fault
from crawler.store.group import GroupCommit

log = logging.getLogger("govwatch.crawl")


def after_run(
    store: Store, config: Config, site: SiteConfig, run_id: int, deadline: float | None = None
) -> None:
    """Site-health checks that follow a crawl (staleness, links, completeness); they may add events
    to the run, and end by ``deadline`` (``time.monotonic()``: the run's ``max_duration``). A fault in
    them never loses the crawl's own results."""
    try:
        from crawler.health import after_run as health_after_run
    except ImportError:
        return
    try:
        health_after_run(store, config, site, run_id, deadline=deadline)
    except Exception:
        log.exception("site-health checks failed for %s (run %s)", site.name, run_id)


def _fail_orphans(store: Store, site: str) -> None:
    """With the site's lock held, no run of it can be going on: a ``running`` row is a crawl that was
    killed. Finish it ``failed`` so health figures and the next run's judgement see it for what it was."""
    for run_id in store.unfinished_runs(site):
        store.finish_run(
            run_id, "failed", {"notes": {"error": "interrupted: the crawl ended without finishing"}}
        )


def upgrade_site(store: Store, site: SiteConfig) -> None:
    """Before crawling a site whose stored versions an older normalizer wrote, re-derive them with
    the current normalizer and integrity rules (and re-key releases that now show their 索引号), so
    that the crawl compares like with like and the upgrade itself raises no event."""
    if not store.outdated(site.name, NORMALIZER_VERSION):
        return

    def rederive(raw: bytes, url: str) -> tuple[Release | None, list[Flag]]:
        doc = Document(raw)
        release = normalize_document(doc, url)
        if not release.is_release:
            return release, []
        return release, integrity_flags(doc, release, site.hosts, site.integrity)

    stats = store.upgrade(site.name, NORMALIZER_VERSION, rederive)
    log.warning(
        "%s: stored releases re-derived with normalizer v%s: %s", site.name, NORMALIZER_VERSION, stats
    )


def run_status(crawl: SiteCrawl) -> str:
    """``failed`` when no list page could be read, a write failed for the disk or the file (the
    ledger's ``fault``) or the run passed the daemon's ``run_timeout``; ``partial`` when some fetches
    failed or a bound cut the run short; else ``ok``."""
    ledger = crawl.ledger
    if ledger.fault or crawl.reason == "run_timeout" or not any(p.ok for p in crawl.columns.values()):
        return "failed"
    if ledger.failed or crawl.bounded or any(p.error for p in crawl.columns.values()):
        return "partial"
    if crawl.attachments.notes:  # attachments failed, refused at the size cap, or left for later
        return "partial"
    return "ok"


def run_reason(crawl: SiteCrawl, failed: int) -> str:
    """Why a run is failed or partial, in a few words: the list pages' failures first, then how many
    release pages failed and why (``2 pages failed: HTTP 500 ×2``), then a bound that stopped it,
    then the attachments'."""
    parts: list[str] = []
    lists = sorted({p.reason for p in crawl.columns.values() if p.error and p.reason})
    if lists:
        parts.append("list page: " + "; ".join(lists))
    pages = max(0, failed - crawl.list_failures)  # release pages (a list page counts above)
    if pages:
        why = ", ".join(f"{r} ×{n}" if n > 1 else r for r, n in crawl.failures.most_common(3))
        noun = "page" if pages == 1 else "pages"
        parts.append(f"{pages} {noun} failed" + (f": {why}" if why else ""))
    if crawl.bounded and not lists:
        parts.append("stopped by max_requests, max_list_pages or max_duration")
    parts.extend(crawl.attachments.notes)  # attachments failed, too large, or left for the next run
    return "; ".join(parts)


#: Scrapy's own lines for failures govwatch reports in one line of its own (the robots.txt
#: middleware logs a whole traceback for a site it cannot reach; the retry middleware "Gave up …")
QUIET_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


def beat(heartbeat: Path | None) -> None:
    """Touch the heartbeat file a batch supervisor watches (``crawler.crawl.batches``)."""
    if heartbeat is not None:
        with contextlib.suppress(OSError):
            os.utime(heartbeat)


def note_run(heartbeat: Path | None, site: str, run_id: int) -> None:
    """Tell the supervisor a run this process began (a line ``site<TAB>run id`` in the heartbeat
    file): runs of the same sites by other crawls of the database are not this process's."""
    if heartbeat is not None:
        with contextlib.suppress(OSError), open(heartbeat, "a", encoding="utf-8") as f:
            f.write(f"{site}\t{run_id}\n")


def raise_open_files_limit() -> None:
    """A batch holds a lock file per site and a connection per busy host: allow the hard limit."""
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(
                resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard)
            )


class _Progress:
    """A live line on a terminal (sites done, pages, events); periodic plain log lines otherwise."""

    def __init__(self, enabled: bool, sites: int) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.sites = sites
        self.done = 0
        self.pages = 0
        self.events = 0
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
            )
            self.bar.__enter__()
            self.task = self.bar.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def attach(self, crawler: Crawler) -> None:
        def on_response(**_kw: Any) -> None:
            self.pages += 1
            if self.bar is not None:
                self.show()
            elif self.pages % 1000 == 0:
                log.warning("%s", self.text())

        crawler.signals.connect(on_response, signal=signals.response_received, weak=False)

    def text(self) -> str:
        return f"{self.done} of {self.sites} sites done, {self.pages} pages, {self.events} events"

    def show(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=self.text())


@dataclass
class _Summary:
    """What the crawl of one site left for its run row (plain values: settled in another thread)."""

    status: str
    requests: int
    bytes: int
    failed: int
    counts: dict[str, int]
    bounded: bool
    finish_reason: str
    fault: str | None
    dropped: int
    deadline: float | None
    reason: str = ""
    partial_why: list[str] = field(default_factory=list)


class HealthWorkers:
    """Threads that settle ended runs (after-crawl checks, the run row), each with its own store."""

    def __init__(self, database: Path, size: int) -> None:
        self.database = database
        self.size = size
        self.jobs: queue.Queue[Callable[[Store], None] | None] = queue.Queue()
        self.threads: list[threading.Thread] = []

    def submit(self, job: Callable[[Store], None]) -> None:
        if len(self.threads) < self.size:  # one more thread per job, up to ``size``
            thread = threading.Thread(
                target=self._work, name=f"govwatch-health-{len(self.threads)}", daemon=True
            )
            self.threads.append(thread)
            thread.start()
        self.jobs.put(job)

    def _work(self) -> None:
        store: Store | None = None
        try:
            while (job := self.jobs.get()) is not None:
                try:
                    if store is None:
                        store = Store(self.database)
                    job(store)
                except Exception:
                    log.exception("could not settle a run")
        finally:
            if store is not None:
                store.close()

    def join(self, tick: Callable[[], None]) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            while thread.is_alive():
                thread.join(timeout=1.0)
                tick()


class BatchRun:
    """One spider over ``sites`` (their locks held): begins them, settles each run as it ends."""

    def __init__(
        self,
        config: Config,
        store: Store,
        database: Path,
        sites: list[SiteConfig],
        group: GroupCommit,
        watchdog: Watchdog,
        progress: _Progress,
        *,
        run_timeout: float | None = None,
        heartbeat: Path | None = None,
        judge_worker: bool = False,
        judge_after: int = 0,
    ) -> None:
        self.config = config
        self.store = store
        self.database = database
        self.sites = sites
        self.group = group
        self.watchdog = watchdog
        self.progress = progress
        self.run_timeout = run_timeout
        self.heartbeat = heartbeat
        self.results: dict[str, RunResult] = {}
        self.workers = HealthWorkers(database, config.crawl.health_workers)
        #: the worker process that judges release pages (started once ``judge_after`` were judged here)
        self.judge = JudgeWorker(after=judge_after) if judge_worker else None
        self.spider: GovSpider | None = None
        self.obey_robots = any(s.politeness.obey_robots for s in sites)
        self.autothrottle = any(s.politeness.autothrottle for s in sites)
        self._by_name = {s.name: s for s in sites}
        self._lock = threading.Lock()

    # -- what the spider calls (in the reactor) ----------------------------------------------------
    def begin_sites(self) -> Iterator[SiteCrawl | None]:
        for site in self.sites:
            yield self._begin(site)

    def _begin(self, site: SiteConfig) -> SiteCrawl | None:
        try:
            run_id = self.store.start_run(site.name)
        except Exception as exc:
            problem = storage_fault(exc, self.store.path)
            if problem is None:
                raise
            if self.heartbeat is not None:  # a supervised batch: its supervisor reads this line
                log.warning("%s: the run could not be recorded: %s", site.name, problem)
            now = clock.now_iso()  # no run row: the result says so (the crawl exits 1)
            self.results[site.name] = RunResult(
                0, site.name, "failed", now, now, message=problem, storage_fault=problem, reason=problem
            )
            return None
        note_run(self.heartbeat, site.name, run_id)
        result = RunResult(run_id, site.name, "running", clock.now_iso())
        self.results[site.name] = result
        ledger = self.store.ledger(site.name, run_id, fail_after=site.fail_after)
        crawl = SiteCrawl(
            site,
            ledger,
            obey_robots=self.obey_robots,
            autothrottle=self.autothrottle,
            run_timeout=self.run_timeout,
            judge=self.judge,
        )
        ledger.on_fault = lambda: self._stop_soon(site.name, "storage_fault")
        self.watchdog.watch(run_id, site.name, crawl.deadline)
        return crawl

    def _stop_soon(self, name: str, reason: str) -> None:
        from twisted.internet import reactor

        if self.spider is not None:
            reactor.callLater(0, self.spider.stop_site, name, reason)  # type: ignore[attr-defined,arg-type]

    def ended(self, crawl: SiteCrawl) -> None:
        """A site's run ended: commit its writes, then settle it in a worker thread."""
        crawl.ledger.flush()
        result = self.results[crawl.name]
        status = run_status(crawl)
        summary = _Summary(
            status=status,
            requests=crawl.downloads,
            bytes=crawl.received,
            failed=crawl.ledger.failed,
            counts=dict(Counter(e.type for e in crawl.ledger.events)),
            bounded=crawl.bounded,
            finish_reason=crawl.reason or "finished",
            fault=crawl.ledger.fault,
            dropped=crawl.ledger.dropped,
            deadline=crawl.deadline,
            reason=run_reason(crawl, crawl.ledger.failed) if status != "ok" else "",
            partial_why=list(crawl.attachments.notes),
        )
        self.progress.events += len(crawl.ledger.events)
        site = self._by_name[crawl.name]
        self.workers.submit(lambda store: self._settle(store, site, result, summary))

    def tick(self) -> None:
        beat(self.heartbeat)
        self.progress.show()
        if self.judge is not None:
            self.judge.check()

    def flush_due(self) -> None:
        if self.group.due():
            self.group.flush()

    # -- settling a run (a worker thread) ----------------------------------------------------------
    def _settle(self, store: Store, site: SiteConfig, result: RunResult, summary: _Summary) -> None:
        result.status = summary.status
        result.requests, result.bytes, result.failed = summary.requests, summary.bytes, summary.failed
        result.reason = summary.fault or summary.reason
        notes: dict[str, Any] = {}
        if summary.fault:
            result.storage_fault = summary.fault
            result.message = (
                f"{summary.fault}: the run stopped there ({summary.dropped} fetch(es) not stored; "
                "the next run fetches them again)"
            )
            notes = {"error": result.message, "storage_fault": summary.fault}
        elif summary.finish_reason == "run_timeout":
            result.message = f"ran past run_timeout ({self.run_timeout:g}s): stopped"
            result.reason = result.message
            notes = {"error": result.message}
        elif summary.finish_reason == "shutdown":  # SIGTERM / SIGINT: ended early
            notes = {"error": "interrupted by a shutdown signal; what was fetched until then is recorded"}
        if summary.partial_why:
            notes["partial"] = summary.partial_why
            result.message = result.message or "; ".join(summary.partial_why)
        if result.status != "failed" and summary.finish_reason != "shutdown":
            after_run(store, self.config, site, result.run_id, summary.deadline)
        try:
            store.finish_run(
                result.run_id,
                result.status,
                {
                    "requests": result.requests,
                    "bytes": result.bytes,
                    "failed": result.failed,
                    "counts": summary.counts,
                    "bounded": summary.bounded,
                    "finish_reason": summary.finish_reason,
                    "reason": result.reason,
                    "notes": notes,
                },
            )
        except Exception as exc:  # the disk is still full: the next run finishes this one as failed
            problem = storage_fault(exc, store.path)
            if problem is None:
                raise
            result.status, result.storage_fault = "failed", result.storage_fault or problem
            result.message = result.message or f"{problem}: the run could not be recorded"
            result.reason = result.reason or problem
        if result.status != "failed" and not summary.fault:
            self._retain(store, site)
        result.finished_at = clock.now_iso()
        try:
            result.events = store.run_events(result.run_id)
        except Exception as exc:
            if storage_fault(exc, store.path) is None:
                raise
            result.events = []
        self.watchdog.done(result.run_id)
        with self._lock:
            self.progress.done += 1

    def _retain(self, store: Store, site: SiteConfig) -> None:
        """Drop the raw HTML of superseded versions past ``retention.raw_html`` (when not ``keep``)."""
        after = self.config.retention.raw_html_after
        if after is None:
            return
        try:
            store.drop_old_raw_html(site.name, after)
        except Exception as exc:
            if storage_fault(exc, store.path) is None:
                raise
            log.warning("%s: old raw HTML not dropped: %s", site.name, storage_fault(exc, store.path))

    # -- the crawl -----------------------------------------------------------------------------------
    def run(self) -> None:
        settings = batch_settings(self.sites, self.config)
        # LOG_VERSIONS: Scrapy's "Versions" line is logged at INFO, which is not shown, yet gathering
        # it reads the metadata of eight packages and forks this process to run `uname -p`
        process = CrawlerProcess(
            settings={"LOG_LEVEL": "WARNING", "LOG_INSTALL_ROOT_HANDLER": True, "LOG_VERSIONS": []}
        )
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        spidercls = type("GovBatchSpider", (GovSpider,), {"custom_settings": settings})
        crawler = process.create_crawler(spidercls)
        self.progress.attach(crawler)
        crawler.signals.connect(self._opened, signal=signals.spider_opened, weak=False)
        if self.judge is not None:  # before the reactor's shutdown closes its pipes (not a death)
            crawler.signals.connect(self.judge.stop, signal=signals.spider_closed, weak=False)
        process.crawl(crawler, batch=self, flush_every=self.group.interval)
        heap.settle()  # imports, configuration, the crawler and its components: frozen
        try:
            process.start()
        finally:
            if self.judge is not None:
                self.judge.stop()
        self.group.flush()
        self.workers.join(self.tick)
        for result in self.results.values():  # a worker could not settle it: the next run will
            if result.status == "running":
                result.status = "failed"
                result.message = result.message or "the run could not be settled; see the log above"
                result.reason = result.reason or result.message
                with contextlib.suppress(Exception):
                    self.store.finish_run(result.run_id, "failed", {"notes": {"error": result.message}})

    def _opened(self, spider: GovSpider, **_kw: Any) -> None:
        self.spider = spider


def crawl(
    config: Config,
    sites: list[SiteConfig],
    store: Store,
    database: Path,
    *,
    progress: bool = True,
    run_timeout: float | None = None,
    supervised: bool = False,
    heartbeat: Path | None = None,
    judge_worker: bool | None = None,
) -> list[RunResult]:
    """Crawl ``sites`` once each, as one batch in this process; returns one :class:`RunResult` per
    site in the order given (skipped ones included; sites the crawl never began — it was stopped
    first — have none). ``run_timeout``: a site's run still going this many seconds after it began
    fails. ``supervised``: run by the batch supervisor, which settles what this process cannot.
    ``judge_worker``: judge release pages in a worker process (None: ``crawl.judge_worker``, when a
    core is spare)."""
    results: dict[str, RunResult] = {}
    planned: list[SiteConfig] = []
    with contextlib.ExitStack() as stack, _Progress(progress, len(sites)) as bar:
        for site in sites:
            beat(heartbeat)  # a batch's orphans and upgrades take a while: still alive
            lock = SiteLock(database, site.name)
            try:
                stack.enter_context(lock)
            except SiteLocked as exc:
                run_id = store.start_run(site.name)
                store.finish_run(run_id, "skipped", {"message": str(exc)})
                note_run(heartbeat, site.name, run_id)
                results[site.name] = RunResult(
                    run_id,
                    site.name,
                    "skipped",
                    clock.now_iso(),
                    clock.now_iso(),
                    message=str(exc),
                    reason="another crawl of this site is running",
                )
                continue
            _fail_orphans(store, site.name)
            upgrade_site(store, site)
            planned.append(site)
        if planned:
            raise_open_files_limit()
            watchdog = stack.enter_context(Watchdog(database, record=not supervised))
            group = stack.enter_context(store.group_commit())
            batch = BatchRun(
                config,
                store,
                database,
                planned,
                group,
                watchdog,
                bar,
                run_timeout=run_timeout,
                heartbeat=heartbeat,
                judge_worker=judge_in_worker(config) if judge_worker is None else judge_worker,
                judge_after=judge_after(config) if judge_worker is None else 0,
            )
            batch.run()
            results.update(batch.results)
    return [results[s.name] for s in sites if s.name in results]
