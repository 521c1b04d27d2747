"""One site's run inside the spider: column list pages through a CMS profile → release URLs →
release pages.

A :class:`SiteCrawl` decides *what* to fetch for its site (new items, releases due for a revisit,
releases missing from the list pages read) and turns each HTTP answer into a :class:`Fetch`; judging
the page is left to the pure layers, recording it to the pipeline (``crawler.crawl.pipelines``).
What earlier runs left, and what this run records, it reads and writes through the run's
:class:`~crawler.store.RunLedger`, never the store itself.

The spider (``crawler.crawl.spider``) holds many of them at once — a batch of sites — and Scrapy's
per-host download slots keep each host polite. Each ``SiteCrawl`` counts the requests it has in
flight (``pending``): every request it makes is answered exactly once, by its callback or its
errback (retries pass the request on), so when the count falls to zero with every column done the
site's run is over and ``on_done`` is called — whatever the other sites of the batch are doing.
Once ``stopped`` (its run ended: done, past its deadline, a storage fault, a shutdown) it makes no
request and ignores answers still arriving.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import clock
from crawler.config import ColumnConfig, SiteConfig
from crawler.crawl.attachfetch import AttachmentFetcher, PendingRelease
from crawler.crawl.fetchresult import (
    classify_failure,
    classify_response,
    describe_failure,
    describe_kind,
    evidence_of,
    headers_dict,
)
from crawler.crawl.judging import JudgeWorker, WorkerGone
from crawler.crawl.pipelines import judge_args, judge_fetch, record_fetch, settle_answer
from crawler.crawl.revisit import is_due
from crawler.crawl.scope import refused, scoped_page
from crawler.crawl.settings import download_timeout
from crawler.model import AttachmentFetch, Event, Fetch, Flag, Release
from crawler.net.urlpolicy import SiteScope, join
from crawler.profiles import ListPage, PageRequest, get_profile
from crawler.store import RunLedger, UrlState

log = logging.getLogger("govwatch.crawl")

MAX_REDIRECTS = 5
#: a download begun near a run's end may outlast it by this much (the spider's clock, which stops the
#: run, ticks every second): its answer is then ignored, never cut short while it could count
STOP_MARGIN = 2.0


@dataclass
class ColumnProgress:
    """What the run learnt about one column."""

    column: ColumnConfig
    baseline: bool
    pages: int = 0
    first_page_items: int = 0
    listed: dict[str, str | None] = field(default_factory=dict)  # url -> list date
    dates: list[str] = field(default_factory=list)
    ok: bool = False
    complete: bool = False  # paging ended by the site (or early stop), not by a fault or a bound
    listing_read: bool = False  # paged to the end, to a page of known items, or to max_list_pages
    error: str | None = None
    reason: str | None = None  # the error in words
    done: bool = False


class SiteCrawl:
    """The run of one site: its columns' progress, its request budget, what it has in flight."""

    def __init__(
        self,
        site: SiteConfig,
        ledger: RunLedger,
        *,
        on_done: Callable[[SiteCrawl], None] | None = None,
        obey_robots: bool | None = None,
        autothrottle: bool | None = None,
        run_timeout: float | None = None,
        judge: JudgeWorker | None = None,
    ) -> None:
        self.site = site
        self.ledger = ledger
        #: the worker process that judges release pages, when there is one (``crawler.crawl.judging``)
        self.judge = judge
        self.run_id = ledger.run_id
        self.profile = get_profile(site.profile, site.profile_options)
        self.hosts = site.hosts
        self.scope = SiteScope.of_site(site)  # what the crawl may request: the URL policy
        self.now = clock.now()
        self.known = ledger.known
        self.columns = {
            c.url: ColumnProgress(c, baseline=not ledger.column_baselined(c.url)) for c in site.columns
        }
        self.scheduled: set[str] = set()
        self.requests_made = 0
        self.bytes = 0
        self.bounded = False  # a run bound (requests, list pages) cut the crawl short
        self.failures: Counter[str] = Counter()  # why release pages failed, in words
        self.list_failures = 0  # list pages that failed (each a failed fetch too)
        self.started = time.monotonic()
        #: when the run stops, interrupted (its ``max_duration``), and when it fails (``run_timeout``)
        self.deadline: float | None = self.started + site.max_duration.total_seconds()
        self.fail_at: float | None = self.started + run_timeout if run_timeout else None
        #: requests made and not yet answered (callback or errback)
        self.pending = 0
        #: the run is over (done, or stopped): nothing more is requested or recorded
        self.stopped = False
        self.reason: str | None = None  # why it stopped: finished, closespider_timeout, run_timeout …
        self.on_done = on_done
        #: downloads made (retries included) and bytes received, counted by the downloader middleware
        self.downloads = 0
        self.received = 0
        # what every request of the site carries: its slot's politeness is set per host
        self._meta: dict[str, Any] = {
            "gw_site": site.name,
            "download_timeout": download_timeout(site),
        }
        if not site.politeness.obey_robots and obey_robots is not False:
            self._meta["dont_obey_robotstxt"] = True
        if not site.politeness.autothrottle and autothrottle is not False:
            self._meta["autothrottle_dont_adjust_delay"] = True
        #: the attachments of the run's releases, fetched before each release is recorded
        self.attachments = AttachmentFetcher(self)

    @property
    def name(self) -> str:
        return self.site.name

    def download_timeout(self) -> float:
        """Seconds a download begun now may take: the site's own, but not much past the moment the run
        stops (``max_duration``, ``run_timeout``), whose answers would be ignored — a stopped site's
        downloads in flight no longer keep its batch process (and the locks of its batch) alive."""
        timeout = float(self._meta["download_timeout"])
        ends = [t for t in (self.deadline, self.fail_at) if t is not None]
        if ends:
            timeout = min(timeout, max(1.0, min(ends) - time.monotonic() + STOP_MARGIN))
        return timeout

    # ------------------------------------------------------------------ accounting
    def _made(self, request: scrapy.Request) -> scrapy.Request:
        request.meta.update(self._meta)
        self.pending += 1
        return request

    def _answered(self, steps: Iterable[Any] | None) -> Iterator[Any]:
        """Run one callback's steps (an answer arrived): the request is no longer in flight, and the
        run is over once nothing is and every column is done."""
        self.pending -= 1
        try:
            if not self.stopped:
                yield from steps or ()
        finally:
            self.check_done()

    def check_done(self) -> None:
        if not self.stopped and self.pending <= 0 and all(p.done for p in self.columns.values()):
            self.stop("finished")

    def stop(self, reason: str) -> None:
        """End the run here: columns not done are recorded interrupted; ``on_done`` is called once."""
        if self.stopped:
            return
        self.close(reason)
        self.stopped = True
        self.reason = reason
        if self.on_done is not None:
            self.on_done(self)

    def made(self, request: scrapy.Request) -> scrapy.Request:
        """A request of this run (it carries the site's meta and counts as in flight)."""
        return self._made(request)

    # ------------------------------------------------------------------ budget
    def take_budget(self) -> bool:
        """One request more of the run's ``max_requests``, if any is left."""
        return self._budget()

    def _budget(self) -> bool:
        if self.requests_made >= self.site.max_requests:
            self.bounded = True
            return False
        self.requests_made += 1
        return True

    # ------------------------------------------------------------------ start
    def start_requests(self) -> Iterator[scrapy.Request]:
        """The column's first list pages, then the known releases due for a revisit."""
        for progress in self.columns.values():
            req = self.profile.first_request(progress.column.url)
            request = self._list_request(req, progress)
            if request is not None:
                yield request
            elif progress.error:
                self._finish_column_now(progress)
        yield from self._revisits()

    def _list_request(
        self, req: PageRequest, progress: ColumnProgress, redirects: int = 0
    ) -> scrapy.Request | None:
        if refused(self.scope, req.url, "list page"):
            progress.error = progress.error or "offsite"
            return None
        if not self._budget():
            return None
        meta = {
            "gw_kind": "list",
            "gw_column": progress.column.url,
            "gw_page": req,
            "gw_redirects": redirects,
            "dont_redirect": True,
            "handle_httpstatus_all": True,
        }
        if req.method.upper() == "POST":
            return self._made(
                scrapy.FormRequest(
                    req.url,
                    formdata=req.formdata or {},
                    callback=self.parse_list,
                    errback=self.list_failed,
                    meta=meta,
                    dont_filter=True,
                    priority=10,
                )
            )
        return self._made(
            scrapy.Request(
                req.url,
                callback=self.parse_list,
                errback=self.list_failed,
                meta=meta,
                dont_filter=True,
                priority=10,
            )
        )

    def _detail_request(
        self, url: str, *, column: ColumnConfig | None, list_date: str | None, reason: str, redirects: int = 0
    ) -> scrapy.Request | None:
        if refused(self.scope, url, "release page"):
            return None
        if redirects == 0:
            if url in self.scheduled:
                return None
            self.scheduled.add(url)
        if not self._budget():
            return None
        headers: dict[str, str] = {}
        state = self.known.get(url)
        if state is not None and reason != "missing":
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        column_url = column.url if column else state.column_url if state else None
        progress = self.columns.get(column_url or "")
        meta = {
            "gw_kind": "detail",
            "gw_column": column_url,
            "gw_list_date": list_date,
            "gw_reason": reason,
            "gw_baseline": state is None
            and bool((progress and progress.baseline) or url in self.ledger.baseline_listed),
            "gw_redirects": redirects,
            "gw_origin": url if redirects == 0 else None,
            "dont_redirect": True,
            "handle_httpstatus_all": True,
        }
        return self._made(
            scrapy.Request(
                url,
                headers=headers,
                callback=self.parse_detail if self.judge is None else self.parse_detail_judged,
                errback=self.detail_failed,
                meta=meta,
                dont_filter=True,
            )
        )

    def _revisits(self) -> Iterator[scrapy.Request]:
        """Known releases whose revisit is due, whether or not the list pages show them."""
        for url, state in self.known.items():
            if state.status == "removed":
                continue
            if is_due(
                url,
                now=self.now,
                revisit=self.site.revisit,
                last_checked=state.last_ok_at,
                published=state.published or state.list_date,
                first_seen=state.first_seen,
            ):
                column = self._column_of(state)
                req = self._detail_request(url, column=column, list_date=state.list_date, reason="revisit")
                if req is not None:
                    req.priority = -1
                    yield req

    def _column_of(self, state: UrlState) -> ColumnConfig | None:
        progress = self.columns.get(state.column_url or "")
        return progress.column if progress else None

    # ------------------------------------------------------------------ list pages
    def parse_list(self, response: Response) -> Iterator[Any]:
        return self._answered(self._parse_list(response))

    def _parse_list(self, response: Response) -> Iterator[Any]:
        progress = self.columns[response.meta["gw_column"]]
        req: PageRequest = response.meta["gw_page"]
        origin = response.meta.get("gw_list_origin")
        self.bytes += len(response.body)
        if 300 <= response.status < 400:
            yield from self._list_redirect(response, progress, req)
            return
        if response.status != 200:
            self._list_error(progress, req, f"http_{response.status}", status=response.status, origin=origin)
            return
        try:
            page: ListPage = self.profile.parse_list(
                response.body, response.url, headers_dict(response), req.context
            )
        except Exception as exc:  # a page the profile cannot read is a failed list fetch, not a crash
            log.warning("list page unreadable (%s: %s): %s", type(exc).__name__, exc, response.url)
            page = ListPage(items=[], next=None, ok=False, reason="parse_error")
        if not page.ok:
            self._list_error(
                progress, req, page.reason or "not_a_list", status=response.status, origin=origin
            )
            return
        page, next_refused = scoped_page(page, self.scope, response.url)
        if next_refused:
            progress.error = progress.error or "offsite_next_page"
        progress.pages += 1
        if req.page_no <= 1 and progress.pages == 1:
            progress.ok = True
            progress.first_page_items = len(page.items)
        all_known = bool(page.items)
        unknown = [
            (i.url, i.date) for i in page.items if i.url not in self.known and i.url not in progress.listed
        ]
        self.ledger.note_listed(progress.column.url, unknown, baseline=progress.baseline)
        for item in page.items:
            if item.url in progress.listed:
                continue
            progress.listed[item.url] = item.date
            if item.date:
                progress.dates.append(item.date)
            state = self.known.get(item.url)
            if state is None:
                all_known = False
                request = self._detail_request(
                    item.url, column=progress.column, list_date=item.date, reason="new"
                )
            elif state.status == "removed":
                request = self._detail_request(
                    item.url, column=progress.column, list_date=item.date, reason="relisted"
                )
            else:
                continue  # known: revisits were scheduled at start
            if request is not None:
                yield request
        if page.next is None:
            # the site's own listing ended: every unlisted release is missing (unless it goes on
            # where no column page reaches)
            progress.complete = page.complete
            progress.listing_read = True
            yield from self._finish_column(progress)
            return
        if self.site.early_stop and all_known and not progress.baseline and not self.ledger.full_listing:
            progress.listing_read = True
            yield from self._finish_column(progress)
            return
        if progress.pages >= self.site.max_list_pages:
            self.bounded = True
            progress.listing_read = True  # as far as any run will read it
            yield from self._finish_column(progress)
            return
        nxt = self._list_request(page.next, progress)
        if nxt is None:
            yield from self._finish_column(progress)
            return
        yield nxt

    def _list_redirect(self, response: Response, progress: ColumnProgress, req: PageRequest) -> Iterator[Any]:
        location = (response.headers.get(b"Location") or b"").decode("latin-1")
        target = join(response.url, location)
        if not self._on_site(target) or response.meta["gw_redirects"] >= MAX_REDIRECTS:
            kind = "redirect_offsite" if not self._on_site(target) else "redirect_loop"
            self._list_error(
                progress, req, kind, status=response.status, origin=response.meta.get("gw_list_origin")
            )
            return
        follow = PageRequest(url=target, method="GET", page_no=req.page_no, context=req.context)
        request = self._list_request(follow, progress, redirects=response.meta["gw_redirects"] + 1)
        if request is not None:
            request.meta["gw_list_origin"] = response.meta.get("gw_list_origin") or req.url
            yield request

    def _list_error(
        self,
        progress: ColumnProgress,
        req: PageRequest,
        error: str,
        status: int | None = None,
        origin: str | None = None,
        reason: str | None = None,
    ) -> None:
        url = origin or req.url  # a redirect's failure is the failure of the page that redirected
        progress.reason = reason or describe_kind(error)
        self.list_failures += 1
        log.warning("%s: list page %s: %s", self.site.name, url, progress.reason)
        progress.error = error
        # a failed list page is a failed fetch too (docs/ARCHITECTURE.md): a row in ``fetches`` saying why
        fetch = Fetch(
            url=url,
            site=self.site.name,
            outcome="error",
            status=status,
            error_kind=error,
            run_id=self.run_id,
            column=progress.column.name,
            column_url=progress.column.url,
        )
        try:
            self.ledger.record(fetch)
        except Exception:  # the column's own record below is what counts
            log.exception("could not record the failed list fetch %s", url)
            self.ledger.count_failed()
        self._finish_column_now(progress)

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        return self._answered(self._list_failed(failure))

    def _list_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        progress = self.columns[request.meta["gw_column"]]
        self._list_error(
            progress,
            request.meta["gw_page"],
            classify_failure(failure),
            origin=request.meta.get("gw_list_origin"),
            reason=describe_failure(failure),
        )
        yield from ()  # a generator: it runs only if the run has not stopped (``_answered``)

    def _finish_column(self, progress: ColumnProgress) -> Iterator[Any]:
        """Record the column's health, then fetch known releases that should have been listed."""
        if progress.done:
            return
        self._finish_column_now(progress)
        if not (progress.ok and progress.dates) or self.ledger.layout_broken(
            progress.column.url, progress.first_page_items
        ):
            return  # a list that looks wrong says nothing about what was withdrawn
        oldest, newest = min(progress.dates), max(progress.dates)
        complete = progress.complete and progress.error is None and not self.bounded
        for url, state in self.known.items():
            if state.column_url != progress.column.url or url in progress.listed:
                continue
            if state.status == "removed":
                continue
            list_date = state.list_date
            in_range = list_date is not None and oldest <= list_date <= newest
            # A listing read to its end leaves no room: whatever it no longer shows is missing.
            if in_range or complete:
                request = self._detail_request(
                    url, column=progress.column, list_date=list_date, reason="missing"
                )
                if request is not None:
                    yield request

    def _finish_column_now(self, progress: ColumnProgress) -> list[Event]:
        if progress.done:
            return []
        progress.done = True
        return self.ledger.record_column(
            progress.column.name,
            progress.column.url,
            ok=progress.ok,
            items=progress.first_page_items,
            pages=progress.pages,
            error=progress.error,
            complete=progress.listing_read and progress.error is None,
        )

    # ------------------------------------------------------------------ release pages
    def _on_site(self, url: str) -> bool:
        return self.scope.admits(url)

    def _is_home(self, url: str) -> bool:
        path = urlsplit(url).path
        return path in ("", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp")

    def parse_detail(self, response: Response) -> Iterator[Any]:
        return self._answered(self._parse_detail(response))

    async def parse_detail_judged(self, response: Response) -> AsyncIterator[Any]:
        """``parse_detail`` with a judging worker: a page to judge goes to the worker first (the
        request stays in flight meanwhile, so the run cannot end under it)."""
        judged: tuple[Fetch, tuple[Release | None, list[Flag]]] | None = None
        if response.status == 200 and not self.stopped:
            judged = await self._judged_elsewhere(response)
        for step in self._answered(self._parse_detail(response, judged)):
            yield step

    async def _judged_elsewhere(
        self, response: Response
    ) -> tuple[Fetch, tuple[Release | None, list[Flag]]] | None:
        """The page's fetch and judgement by the worker; None when it could not judge it (the page
        is judged here, as without a worker)."""
        from scrapy.utils.defer import maybe_deferred_to_future

        if self.judge is None or not self.judge.accepts():
            return None
        fetch = self._fetch_of(response.meta.get("gw_origin") or response.url, response, outcome="ok")
        try:
            deferred = self.judge.judge(judge_args(self.ledger, self.site, fetch))
            if deferred is None:
                return None
            answer = await maybe_deferred_to_future(deferred)
        except WorkerGone:
            return None
        except Exception:  # reading the current version failed: judged here, as it would have been
            log.exception("could not send %s to the judging worker", fetch.url)
            return None
        return fetch, settle_answer(fetch, answer)

    def _parse_detail(
        self, response: Response, judged: tuple[Fetch, tuple[Release | None, list[Flag]]] | None = None
    ) -> Iterator[Any]:
        meta = response.meta
        self.bytes += len(response.body)
        origin = meta.get("gw_origin") or response.url
        if 300 <= response.status < 400 and response.status != 304:
            location = (response.headers.get(b"Location") or b"").decode("latin-1")
            target = join(response.url, location)
            if not self._on_site(target):
                yield from self._item(origin, response, outcome="error", error_kind="redirect_offsite")
            elif self._is_home(target):
                yield from self._item(origin, response, outcome="gone")
            elif meta["gw_redirects"] >= MAX_REDIRECTS:
                yield from self._item(origin, response, outcome="error", error_kind="redirect_loop")
            else:
                column = self.columns.get(meta.get("gw_column") or "")
                request = self._detail_request(
                    target,
                    column=column.column if column else None,
                    list_date=meta.get("gw_list_date"),
                    reason=meta["gw_reason"],
                    redirects=meta["gw_redirects"] + 1,
                )
                if request is not None:
                    request.meta["gw_origin"] = origin
                    yield request
            return
        if judged is not None:  # judged by the worker
            yield from self._judged(*judged)
            return
        outcome, error_kind = classify_response(response.status)
        yield from self._item(origin, response, outcome=outcome, error_kind=error_kind)

    def _item(
        self, url: str, response: Response, *, outcome: str, error_kind: str | None = None
    ) -> Iterator[Any]:
        """Judge and record one answer of a release page (``crawler.crawl.pipelines``); a release
        with attachments is recorded once they have answered (``crawler.crawl.attachfetch``)."""
        if outcome == "error":
            self._failed(url, describe_kind(error_kind))
        fetch = self._fetch_of(url, response, outcome=outcome, error_kind=error_kind)
        if not self.attachments.enabled:
            record_fetch(self.ledger, self.site, fetch)
            return
        pending = self._pending(fetch)
        if pending is None:
            return
        yield from self.attachments.requests(pending)
        yield from self.attachments.finish_if_complete(pending)

    def _judged(self, fetch: Fetch, judged: tuple[Release | None, list[Flag]]) -> Iterator[Any]:
        """Record a page the worker judged (``_item`` for a page that answered 200)."""
        if not self.attachments.enabled:
            record_fetch(self.ledger, self.site, fetch, judged=judged)
            return
        pending = self._pending(fetch, judged)
        if pending is None:
            return
        yield from self.attachments.requests(pending)
        yield from self.attachments.finish_if_complete(pending)

    def _fetch_of(
        self, url: str, response: Response, *, outcome: str, error_kind: str | None = None
    ) -> Fetch:
        headers = headers_dict(response)
        fetch = Fetch(
            url=url,
            site=self.site.name,
            outcome=outcome,
            status=response.status,
            body=response.body if outcome in ("ok", "gone") else None,
            headers=headers,
            elapsed=response.meta.get("download_latency"),
            error_kind=error_kind,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            final_url=response.url,
            run_id=self.run_id,
            list_date=response.meta.get("gw_list_date"),
            baseline=response.meta.get("gw_baseline", False),
            **evidence_of(response),
        )
        column = self.columns.get(response.meta.get("gw_column") or "")
        if column is not None:
            fetch.column = column.column.name
            fetch.column_url = column.column.url
        return fetch

    def _pending(
        self, fetch: Fetch, judged: tuple[Release | None, list[Flag]] | None = None
    ) -> PendingRelease | None:
        """The release of a page that answered, waiting for its attachments; None when it has none
        to fetch (it is recorded at once). ``judged``: the worker's judgement of a page that
        answered 200."""
        if judged is not None or fetch.outcome == "ok":
            judged = judged or judge_fetch(self.ledger, self.site, fetch)
            release, flags = judged
            pending = self.attachments.begin(fetch, release, flags) if release is not None else None
        elif fetch.outcome == "not_modified":
            pending = self._unchanged_page(fetch)
        else:
            pending = None
        if pending is None:
            record_fetch(self.ledger, self.site, fetch, judged=judged)
        return pending

    def _unchanged_page(self, fetch: Fetch) -> PendingRelease | None:
        """A page that answered 304: its files may have changed all the same, so its release is read
        from the stored page and waits for them."""
        previous = self.ledger.previous_release(fetch.url)
        if previous is None or not self.attachments.may_fetch(previous):
            return None  # no files to fetch: the 304 stands, without reading the page again
        raw = self.ledger.stored_page(fetch.url)
        if raw is None:
            return None
        page = Fetch(**{**fetch.__dict__, "outcome": "ok", "body": raw})
        release, flags = judge_fetch(self.ledger, self.site, page)
        if release is None:
            return None
        return self.attachments.begin(
            page, release, flags, not_modified=True, previous_hash=previous.content_hash
        )

    def record_pending(
        self, pending: PendingRelease, release: Release, flags: list[Flag], results: list[AttachmentFetch]
    ) -> None:
        """Record a release page once its attachments have answered: a page that answered 304 stays
        a 304 unless its files changed (then it is the same page with new files: a new version)."""
        fetch = pending.fetch
        if pending.not_modified and release.content_hash == pending.previous_hash:
            fetch.outcome, fetch.body = "not_modified", None
            record_fetch(self.ledger, self.site, fetch, judged=(None, []), attachments=results)
            return
        record_fetch(self.ledger, self.site, fetch, judged=(release, flags), attachments=results)

    async def parse_attachment(self, response: Response) -> AsyncIterator[Any]:
        """An attachment answered (its file read in a worker thread): it stays in flight until read,
        so the run cannot end under it."""
        out: list[Any] = []
        try:
            if not self.stopped:
                out = await self.attachments.answer(response)
        finally:
            self.pending -= 1
            if not out:  # nothing more comes of it (or it raised): the run may be over
                self.check_done()
        try:
            for item in out:
                if not self.stopped:
                    yield item
        finally:
            self.check_done()

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        return self._answered(self.attachments.on_failure(failure))

    def _failed(self, url: str, reason: str) -> None:
        """One log line per page that failed, and its reason counted for the run's summary."""
        self.failures[reason] += 1
        log.warning("%s: %s: %s", self.site.name, url, reason)

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        return self._answered(self._detail_failed(failure))

    def _detail_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        self._failed(meta.get("gw_origin") or request.url, describe_failure(failure))
        fetch = Fetch(
            url=meta.get("gw_origin") or request.url,
            site=self.site.name,
            outcome="error",
            error_kind=classify_failure(failure),
            run_id=self.run_id,
            list_date=meta.get("gw_list_date"),
            baseline=meta.get("gw_baseline", False),
        )
        column = self.columns.get(meta.get("gw_column") or "")
        if column is not None:
            fetch.column = column.column.name
            fetch.column_url = column.column.url
        record_fetch(self.ledger, self.site, fetch)
        yield from ()  # a generator: it runs only if the run has not stopped (``_answered``)

    # ------------------------------------------------------------------ end
    def close(self, reason: str) -> None:
        """The run ends (``reason``: ``finished`` or why it was cut short): every column not done is
        recorded interrupted."""
        for progress in self.columns.values():
            if not progress.done:
                progress.error = progress.error or f"interrupted:{reason}"
                self._finish_column_now(progress)
        if reason != "finished":
            self.bounded = True
