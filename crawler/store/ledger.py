"""The per-run ledger: what one crawl run of one site reads from the store and records into it.

The crawl runner makes it (``store.ledger(site, run_id, fail_after=...)``) and hands it to the spider
and, through the spider, to the item pipeline; neither holds the store. At the start it reads what
earlier runs left (known URLs, baselined columns, listings, whether the last run was clean); during
the run every fetch, listing and column result is recorded through it, and it keeps the events the
run raised and the number of fetches that failed.

A storage fault ends the run: when a write fails because of the disk or the file (full, read-only,
I/O error, not a database …), every later write would fail the same way and the fetches would be
lost. The ledger keeps the first such fault (``fault``: one line naming the file), calls ``on_fault``
once (the runner stops the crawl there), drops the writes that follow (counted in ``dropped``) and the
run ends ``failed`` — never ``partial`` with exit 0 while releases were dropped. Everything recorded
before the fault stays (each record is its own transaction); the next run fetches the rest again.
Any other exception of a fetch's record (a bug on one page) rolls that record back and records the
fetch as failed (``internal:<exception>``) instead: it must not lose the run nor read as news.

While the store has a :class:`~crawler.store.group.GroupCommit` open, the writes are queued into it
and committed with others (``crawler/store/group.py``): ``record`` then returns no events — they
join ``events`` once their transaction committed — and ``flush()`` commits what is queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.model import AttachmentFetch, Event, Fetch, Flag, Release
from crawler.store.attachments import AttachmentState
from crawler.store.columns import looks_broken
from crawler.store.files import storage_fault
from crawler.store.group import Write

if TYPE_CHECKING:
    from crawler.store.store import Store


T = TypeVar("T")

log = logging.getLogger("govwatch.store")


@dataclass(frozen=True)
class UrlState:
    """What the crawler needs to know about a URL it has seen before."""

    url: str
    key: str
    column_url: str | None
    list_date: str | None
    etag: str | None
    last_modified: str | None
    first_seen: str
    last_ok_at: str | None
    published: str | None  # written_date, else the date of published_at
    status: str  # of the release: live | removed


class RunLedger:
    """URL and column state for one run of one site, and the recording of what the run found."""

    def __init__(self, store: Store, site: str, run_id: int, *, fail_after: int = 3) -> None:
        self._store = store
        self.site = site
        self.run_id = run_id
        self.fail_after = fail_after
        #: release URLs seen before, by URL
        self.known: dict[str, UrlState] = store.known_urls(site)
        #: listed in a baseline run but not fetched then (a bound cut it short): still baseline
        self.baseline_listed: frozenset[str] = frozenset(store.baseline_listed(site))
        self._baselined = store.baselined_columns(site)
        #: the last run may have left listed items unfetched: read every list page again
        self.full_listing: bool = store.needs_full_listing(site, before_run=run_id)
        #: each column's typical first-page item count in earlier runs (the layout rule's median)
        self._typical = store.typical_items(site)
        #: the events this run raised, in order
        self.events: list[Event] = []
        #: fetches of this run that failed (list pages included)
        self.failed = 0
        #: the first storage fault of the run (one line), the fetches not stored after it, and what
        #: to call when it happens (the runner stops the crawl)
        self.fault: str | None = None
        self.dropped = 0
        self.on_fault: Callable[[], None] | None = None
        #: the group commit the writes are queued into (None: each write is its own transaction)
        self._group = store.group

    def _guarded(self, write: Callable[[], T], dropped: T) -> T:
        """``write()``, unless the run already met a storage fault or meets one now: then ``dropped``."""
        if self.fault is None:
            try:
                return write()
            except Exception as exc:
                problem = storage_fault(exc, self._store.path)
                if problem is None:
                    raise
                self.meet_fault(problem)
        return dropped

    def meet_fault(self, problem: str, dropped: int = 0) -> None:
        """A storage fault: the first one is kept and ``on_fault`` called; ``dropped`` writes lost."""
        self.dropped += dropped
        if self.fault is None:
            self.fault = problem
            if self.on_fault is not None:
                self.on_fault()

    def _queue(
        self,
        apply: Callable[[], Any],
        settle: Callable[[Any], Any],
        *,
        fetch: bool,
        keys: Iterable[str | None] = (),
    ) -> bool:
        """Queue a write into the group commit; False when there is none (write now instead)."""
        if self._group is None:
            return False
        if self.fault is not None:  # the run met a fault: nothing more is written
            settle(None)
            return True
        self._group.add(
            Write(self, lambda _db: apply(), settle, fetch=fetch, keys=tuple(k for k in keys if k))
        )
        return True

    def flush(self) -> None:
        """Commit what the run (and every other run of the group) has queued."""
        if self._group is not None:
            self._group.flush()

    @property
    def queued(self) -> int:
        """Writes of this run queued and not yet committed."""
        return self._group.pending(self) if self._group is not None else 0

    def column_baselined(self, column_url: str) -> bool:
        """A column's baseline is done once a run read its listing to the end (or to
        ``max_list_pages``); until then what its lists show is the baseline, not news."""
        return column_url in self._baselined

    def layout_broken(self, column_url: str, items: int) -> bool:
        """Whether a first list page of ``items`` items looks broken for this column (the rule of
        ``layout_changed``): nothing said about withdrawn releases can be trusted then."""
        return looks_broken(items, self._typical.get(column_url))

    def previous_release(self, url: str) -> Release | None:
        """The current version of the release seen at ``url`` (integrity's ``previous``); a queued
        write of that release is committed first."""
        state = self.known.get(url)
        if self._group is not None and state is not None and self._group.holds(state.key):
            self._group.flush()
        return self._store.current_release_for_url(url)

    def attachment_states(self, urls: list[str]) -> dict[str, AttachmentState]:
        """What earlier runs learnt of these attachment URLs (validators, last file, too large). Writes
        still queued are not waited for: a file two releases of one run share is at worst
        downloaded twice and stored once."""
        return self._store.attachment_states(urls)

    def stored_page(self, url: str) -> bytes | None:
        """The raw HTML of the current version of the release seen at ``url`` (a page that answered
        304 is read from it), or None when it is not kept."""
        state = self.known.get(url)
        if self._group is not None and state is not None and self._group.holds(state.key):
            self._group.flush()
        return self._store.current_page_for_url(url)

    def note_listed(self, column_url: str, items: list[tuple[str, str | None]], *, baseline: bool) -> None:
        """Remember ``(url, list date)`` items a list page of the column showed."""
        if not items:
            return

        def write() -> None:
            self._store.note_listed(self.run_id, self.site, column_url, items, baseline=baseline)

        if not self._queue(write, lambda _result: None, fetch=False):
            self._guarded(write, None)

    def record(
        self,
        fetch: Fetch,
        release: Release | None = None,
        flags: Iterable[Flag] = (),
        attachments: list[AttachmentFetch] | None = None,
    ) -> list[Event]:
        """Store one fetch of this run (and any new version, and its attachments' fetches); returns
        the events it proved (none yet when the write is queued: they join ``events`` once committed)."""
        flagged = list(flags)

        def write() -> list[Event]:
            return self._record(fetch, release, flagged, attachments)

        def settle(events: list[Event] | None) -> list[Event]:
            fetch.body = None  # written (or dropped): let the page go
            for item in attachments or ():
                item.data = None
            if events is None:  # a storage fault: not stored
                self.dropped += 1
                events = []
            self.events.extend(events)
            if fetch.outcome == "error":
                self.failed += 1
            return events

        state = self.known.get(fetch.url)
        keys = (release.key if release is not None else None, state.key if state is not None else None)
        if self._queue(write, settle, fetch=True, keys=keys):
            return []
        return settle(self._guarded(write, None))

    def _record(
        self,
        fetch: Fetch,
        release: Release | None,
        flags: list[Flag],
        attachments: list[AttachmentFetch] | None = None,
    ) -> list[Event]:
        """``store.record``; a record that fails for a reason other than storage (a bug on one page)
        is rolled back and the fetch recorded as failed instead."""
        try:
            return self._store.record(
                fetch, release, flags, fail_after=self.fail_after, attachments=attachments
            )
        except Exception as exc:
            if storage_fault(exc, self._store.path) is not None:
                raise
            log.exception("could not record %s", fetch.url)
            fetch.outcome, fetch.error_kind, fetch.body = "error", f"internal:{type(exc).__name__}", None
            return self._store.record(fetch, None, [], fail_after=self.fail_after)

    def count_failed(self) -> None:
        """A fetch failed that could not even be recorded (the store raised)."""
        self.failed += 1

    def record_column(
        self,
        column: str | None,
        column_url: str,
        *,
        ok: bool,
        items: int,
        pages: int,
        error: str | None,
        complete: bool,
    ) -> list[Event]:
        """The column's health for this run (failure streaks, layout changes); returns its events
        (none yet when the write is queued)."""

        def write() -> list[Event]:
            return self._store.record_column(
                self.run_id,
                self.site,
                column,
                column_url,
                ok=ok,
                items=items,
                pages=pages,
                error=error,
                fail_after=self.fail_after,
                complete=complete,
            )

        def settle(events: list[Event] | None) -> list[Event]:
            self.events.extend(events or [])
            return events or []

        if self._queue(write, settle, fetch=False):
            return []
        none: list[Event] = []
        return settle(self._guarded(write, none))
