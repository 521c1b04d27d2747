"""A release's attachments, fetched through the same crawl before the release is recorded.

When a release page answers (200, or 304 for a release whose stored page lists attachments), its
document links (``crawler.attachments.document_links``: the attachment block's and body's links to
document types on the site's hosts or its ``file_hosts``) are requested by the same spider — the
same download slots, robots.txt, retries and deadline — with the validators of their last answer
(``If-None-Match`` / ``If-Modified-Since``). Once every one has answered, the files' digests join
the release's ``content_hash`` and the release is recorded with them, so a file replaced under an
unchanged page is a new version of its release.

Bounds: a file larger than ``attachments.max_size`` is refused from its announced length
(``headers_received``) or cut off by Scrapy's per-request ``download_maxsize`` while it streams,
never read whole, and recorded ``too_large`` with its validators: later runs stop at its headers
while they are unchanged. ``attachments.run_budget`` bounds the bytes of attachments one run
downloads; what does not fit waits for the next run (``skipped``). A file that cannot be fetched
keeps the digest it had (a failure never reads as a change, nor as a removal).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from crawler.attachments import document_links, extract_text, mismatch, sniff
from crawler.crawl.fetchresult import classify_failure, headers_dict
from crawler.model import AttachmentFetch, Fetch, Flag, Release
from crawler.net.urlpolicy import SiteScope, join, shown
from crawler.normalize import NORMALIZER_VERSION, content_hash
from crawler.store.attachments import AttachmentState

if TYPE_CHECKING:
    from crawler.crawl.sitecrawl import SiteCrawl

log = logging.getLogger("govwatch.crawl")

MAX_REDIRECTS = 5
#: the integrity rule of an attachment whose type does not fit its extension (a warning)
TYPE_RULE = "attachment_type"


@dataclass
class PendingRelease:
    """A release page waiting for its attachments before it is recorded."""

    fetch: Fetch
    release: Release
    flags: list[Flag]
    links: list[dict[str, str]]
    states: dict[str, AttachmentState]
    #: the page answered 304: ``release`` was read from its stored raw HTML
    not_modified: bool = False
    previous_hash: str | None = None
    results: dict[str, AttachmentFetch] = field(default_factory=dict)
    recorded: bool = False

    @property
    def complete(self) -> bool:
        return len(self.results) >= len(self.links)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _decoded(headers: Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, values in headers.items():
        if values:
            out[key.decode("latin-1").lower()] = values[-1].decode("latin-1")
    return out


class AttachmentFetcher:
    """The attachment requests of one site's run (``SiteCrawl.attachments``)."""

    def __init__(self, crawl: SiteCrawl) -> None:
        self.crawl = crawl
        self.options = crawl.site.attachments
        self.scope = SiteScope([crawl.site.base_url, *crawl.site.aliases, *crawl.site.file_hosts])
        #: bytes of attachments downloaded in this run
        self.bytes = 0
        #: why the run is partial because of attachments (one line each; see ``notes``)
        self._notes: list[str] = []
        #: attachment fetches of this run that failed (timeouts, 5xx, 404 …)
        self.failed = 0

    @property
    def notes(self) -> list[str]:
        """Why the run is partial because of its attachments, one line each."""
        failed = [f"{self.failed} attachment fetch(es) failed"] if self.failed else []
        return [*self._notes, *failed]

    @property
    def enabled(self) -> bool:
        return bool(self.options.fetch)

    def may_fetch(self, stored: Release) -> bool:
        """Whether a page that answered 304 may have files to fetch: attachments are fetched and
        its stored release lists some, or was read by another version of the normalizer (which may
        find others in the same page)."""
        if not self.enabled:
            return False
        return stored.normalizer_version != NORMALIZER_VERSION or bool(document_links(stored, self.scope))

    # ------------------------------------------------------------------ start
    def begin(
        self,
        fetch: Fetch,
        release: Release,
        flags: list[Flag],
        *,
        not_modified: bool = False,
        previous_hash: str | None = None,
    ) -> PendingRelease | None:
        """The release's attachments to fetch before it is recorded; None when it has none."""
        if not self.enabled:
            return None
        links = document_links(release, self.scope)
        if not links:
            return None
        states = self.crawl.ledger.attachment_states([link["url"] for link in links])
        return PendingRelease(
            fetch, release, flags, links, states, not_modified=not_modified, previous_hash=previous_hash
        )

    def requests(self, pending: PendingRelease) -> Iterator[scrapy.Request]:
        for link in pending.links:
            request = self._request(pending, link, link["url"], 0)
            if request is not None:
                yield request

    def _request(
        self, pending: PendingRelease, link: dict[str, str], url: str, redirects: int
    ) -> scrapy.Request | None:
        remaining = self.options.run_budget - self.bytes
        if remaining <= 0:
            self._skipped(pending, link, "the run's attachment byte budget is spent")
            return None
        if not self.crawl.take_budget():
            self._skipped(pending, link, "the run's request budget is spent")
            return None
        state = pending.states.get(link["url"])
        headers: dict[str, str] = {}
        if state is not None and redirects == 0:
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        limit = min(self.options.max_size, remaining)
        meta: dict[str, Any] = {
            "gw_kind": "attachment",
            "gw_pending": pending,
            "gw_link": link,
            "gw_redirects": redirects,
            "gw_limit": limit,
            "gw_budget_limited": remaining < self.options.max_size,
            "dont_redirect": True,
            "handle_httpstatus_all": True,
            # Scrapy cancels a body that streams past this (and one announced larger)
            "download_maxsize": limit,
            "download_warnsize": 0,
        }
        return self.crawl.made(
            scrapy.Request(
                url,
                headers=headers,
                callback=self.crawl.parse_attachment,
                errback=self.crawl.attachment_failed,
                meta=meta,
                dont_filter=True,
                priority=-2,
            )
        )

    # ------------------------------------------------------------------ headers (signal)
    def on_headers(self, request: scrapy.Request, headers: Headers, body_length: object) -> None:
        """``headers_received``: keep the validators; stop a body over the cap or the run's budget, and
        one known too large whose validators did not change, before reading it."""
        meta = request.meta
        found = _decoded(headers)
        meta["gw_headers"] = found
        length = _int(found.get("content-length"))
        if length is None and isinstance(body_length, int) and body_length >= 0:  # else UNKNOWN_LENGTH
            length = body_length
        pending: PendingRelease = meta["gw_pending"]
        link = meta["gw_link"]
        state = pending.states.get(link["url"])
        if state is not None and state.state == "too_large" and _same_validators(state, found, length):
            meta["gw_stop"] = "unchanged"
            raise StopDownload(fail=True)
        if length is not None and length > meta["gw_limit"]:
            meta["gw_stop"] = "budget" if meta["gw_budget_limited"] else "too_large"
            raise StopDownload(fail=True)

    # ------------------------------------------------------------------ answers
    async def answer(self, response: Response) -> list[Any]:
        """An attachment's answer; a new file is read (type, text) in a worker thread, so a long PDF
        holds up no other download of the batch."""
        result: AttachmentFetch | None = None
        if response.status == 200:
            link: dict[str, str] = response.meta["gw_link"]
            state = response.meta["gw_pending"].states.get(link["url"])
            result = self._file(link, response.body, headers_dict(response), state)
            if result.data is not None:
                try:
                    await maybe_deferred_to_future(deferToThread(_read, result))
                except Exception as exc:  # a reader's bug must not lose the release
                    log.exception("could not read attachment %s", shown(link["url"]))
                    result.text, result.text_status = None, f"error:{type(exc).__name__}"
        return list(self.on_response(response, result))

    def on_response(self, response: Response, read: AttachmentFetch | None = None) -> Iterator[Any]:
        meta = response.meta
        pending: PendingRelease = meta["gw_pending"]
        link: dict[str, str] = meta["gw_link"]
        self.bytes += len(response.body)
        self.crawl.bytes += len(response.body)
        headers = headers_dict(response)
        if 300 <= response.status < 400 and response.status != 304:
            target = join(response.url, (response.headers.get(b"Location") or b"").decode("latin-1"))
            if not self.scope.admits(target):
                log.warning("attachment redirected off the site: %s → %s", shown(link["url"]), shown(target))
                self._done(
                    pending,
                    AttachmentFetch(
                        link["url"], link["name"], "error", response.status, error_kind="redirect_offsite"
                    ),
                )
            elif meta["gw_redirects"] >= MAX_REDIRECTS:
                self._done(
                    pending,
                    AttachmentFetch(
                        link["url"], link["name"], "error", response.status, error_kind="redirect_loop"
                    ),
                )
            else:
                request = self._request(pending, link, target, meta["gw_redirects"] + 1)
                if request is not None:
                    yield request
            yield from self.finish_if_complete(pending)
            return
        state = pending.states.get(link["url"])
        if response.status == 304 and state is not None:
            result = AttachmentFetch(
                link["url"],
                link["name"],
                "not_modified" if state.state != "too_large" else "too_large",
                304,
                sha256=state.sha256,
                etag=headers.get("etag") or state.etag,
                last_modified=headers.get("last-modified") or state.last_modified,
                content_length=state.content_length,
            )
        elif response.status == 200:
            result = read or _read(self._file(link, response.body, headers, state))
        else:
            result = AttachmentFetch(
                link["url"], link["name"], "error", response.status, error_kind=f"http_{response.status}"
            )
        self._done(pending, result)
        yield from self.finish_if_complete(pending)

    def _file(
        self, link: dict[str, str], body: bytes, headers: dict[str, str], state: AttachmentState | None
    ) -> AttachmentFetch:
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        result = AttachmentFetch(
            link["url"],
            link["name"],
            "ok",
            200,
            sha256=digest,
            size=len(body),
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            content_length=len(body),
        )
        if state is not None and state.sha256 == digest:
            result.kind, result.warning = state.kind, state.warning  # stored already: not read again
            return result
        result.data = body
        return result

    def on_failure(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        pending: PendingRelease = meta["gw_pending"]
        link: dict[str, str] = meta["gw_link"]
        found: dict[str, str] = meta.get("gw_headers") or {}
        stop = meta.get("gw_stop")
        kind = classify_failure(failure)
        state = pending.states.get(link["url"])
        length = _int(found.get("content-length"))
        if stop == "unchanged" and state is not None:
            result = AttachmentFetch(
                link["url"],
                link["name"],
                "too_large",
                200,
                etag=state.etag,
                last_modified=state.last_modified,
                content_length=state.content_length,
            )
        elif stop == "budget" or (kind == "too_large" and meta["gw_budget_limited"] and stop is None):
            self._skipped(pending, link, "the run's attachment byte budget is spent")
            yield from self.finish_if_complete(pending)
            return
        elif stop == "too_large" or kind == "too_large":
            size = f"{_mb(length)}" if length is not None else "more than that, streamed"
            self._notes.append(
                f"attachment too large, not stored: {shown(link['url'])} ({size}; the cap is "
                f"{_mb(self.options.max_size)})"
            )
            log.warning("%s", self._notes[-1])
            result = AttachmentFetch(
                link["url"],
                link["name"],
                "too_large",
                200,
                etag=found.get("etag"),
                last_modified=found.get("last-modified"),
                content_length=length,
                error_kind="too_large",
            )
        else:
            result = AttachmentFetch(link["url"], link["name"], "error", error_kind=kind)
        self._done(pending, result)
        yield from self.finish_if_complete(pending)

    def _skipped(self, pending: PendingRelease, link: dict[str, str], why: str) -> None:
        note = f"attachments left for the next run: {why}"
        if note not in self._notes:
            self._notes.append(note)
            log.warning("%s: %s", self.crawl.name, note)
        self._done(pending, AttachmentFetch(link["url"], link["name"], "skipped", error_kind="budget"))

    def _done(self, pending: PendingRelease, result: AttachmentFetch) -> None:
        if result.url not in pending.results and result.outcome == "error":
            self.failed += 1
            log.warning("attachment failed (%s): %s", result.error_kind, shown(result.url))
        pending.results.setdefault(result.url, result)

    # ------------------------------------------------------------------ record
    def finish_if_complete(self, pending: PendingRelease) -> Iterator[Any]:
        if not pending.complete or pending.recorded:
            return iter(())
        pending.recorded = True
        self.crawl.record_pending(pending, *settle(pending))
        return iter(())


def _mb(size: int) -> str:
    return f"{size / 1048576:.4g} MB"


def _read(result: AttachmentFetch) -> AttachmentFetch:
    """A new file's type (sniffed), its fit with the extension, its text (pure: runs in a thread)."""
    if result.data is None or result.text_status is not None:
        return result
    result.kind = sniff(result.data)
    result.warning = mismatch(result.url, result.kind)
    extracted = extract_text(result.data, result.kind)
    result.text, result.text_status = extracted.text, extracted.status
    return result


def _same_validators(state: AttachmentState, found: dict[str, str], length: int | None) -> bool:
    """The too-large file answers as it did: the same ETag, else the same Last-Modified and length."""
    if state.etag or found.get("etag"):
        return state.etag == found.get("etag")
    if state.last_modified or found.get("last-modified"):
        return state.last_modified == found.get("last-modified") and state.content_length == length
    return state.content_length is not None and state.content_length == length


def settle(pending: PendingRelease) -> tuple[Release, list[Flag], list[AttachmentFetch]]:
    """The release with its files' digests (a file that could not be fetched keeps the digest it
    had), the type-mismatch flags, and the fetch results to store."""
    release, flags = pending.release, list(pending.flags)
    by_url = {link["url"]: link for link in pending.links}
    results = [pending.results[link["url"]] for link in pending.links if link["url"] in pending.results]
    outcome = {r.url: r for r in results}
    attachments = []
    for item in release.attachments:
        url = item.get("url") or ""
        result = outcome.get(url)
        if url not in by_url or result is None:
            attachments.append(item)
            continue
        state = pending.states.get(url)
        entry = {"name": item.get("name") or url, "url": url}
        if result.outcome in ("ok", "not_modified"):
            entry.update(sha256=result.sha256 or "", state="ok")
            warning = result.warning if result.outcome == "ok" else (state.warning if state else None)
        elif result.outcome == "too_large":
            entry.update(state="too_large")
            warning = None
        else:  # failed or left for the next run: the file it had stands
            entry.update(state="failed" if result.outcome == "error" else "skipped")
            if state is not None and state.sha256:
                entry["sha256"] = state.sha256
            warning = state.warning if state else None
        if not entry.get("sha256"):
            entry.pop("sha256", None)
        if warning:
            entry["warning"] = warning
            flags.append(Flag(TYPE_RULE, "warning", f"{entry['name']}: {warning}", location=url))
        attachments.append(entry)
    release.attachments = attachments
    release.content_hash = content_hash(release)
    return release, flags, results
