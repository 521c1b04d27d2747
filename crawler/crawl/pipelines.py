"""What becomes of each fetched page: normalize → integrity → the run's ledger, in that order."""

from __future__ import annotations

import logging

from crawler.config import IntegrityConfig, SiteConfig
from crawler.crawl.judging import Judgement, judge_page
from crawler.integrity import check
from crawler.model import AttachmentFetch, Fetch, Flag, Release
from crawler.normalize import Document
from crawler.store import RunLedger
from crawler.store.prepare import remember

log = logging.getLogger("govwatch.crawl")


def judge(
    fetch: Fetch,
    site_hosts: frozenset[str],
    previous: Release | None = None,
    integrity: IntegrityConfig | None = None,
) -> tuple[Release | None, list[Flag]]:
    """Normalize and check a fetched page, decoded and parsed once for both; a page that is not a
    release turns the fetch into ``gone`` (reason ``gone``) or a failed fetch (every other reason)."""
    if fetch.outcome != "ok" or fetch.body is None:
        return None, []
    options = integrity or IntegrityConfig()
    judged = judge_page(
        fetch.body, fetch.headers, fetch.url, site_hosts, previous, options.allow_hosts, options.ignore
    )
    return settle(fetch, judged)


def settle(fetch: Fetch, judged: Judgement) -> tuple[Release | None, list[Flag]]:
    """What a judgement makes of the fetch: a page that is not a release is ``gone`` (reason
    ``gone``) or a failed fetch (every other reason)."""
    release, flags, reason = judged
    if release is None:
        reason = reason or "unknown"
        fetch.not_release_reason = reason
        if reason == "gone":
            fetch.outcome = "gone"
        else:
            fetch.outcome = "error"
            fetch.error_kind = "not_release"
        return None, []
    return release, flags


def judge_args(ledger: RunLedger, site: SiteConfig, fetch: Fetch) -> tuple[object, ...]:
    """``judge_page``'s arguments for a fetched page of ``site`` (its current version read first)."""
    previous = ledger.previous_release(fetch.url)
    options = site.integrity or IntegrityConfig()
    return (fetch.body, fetch.headers, fetch.url, site.hosts, previous, options.allow_hosts, options.ignore)


def settle_answer(fetch: Fetch, answer: tuple[object, ...]) -> tuple[Release | None, list[Flag]]:
    """The worker's answer for ``fetch`` (``crawler.crawl.judging``), as ``judge_fetch`` returns it;
    what the worker made ahead for the store is kept for it."""
    if answer[0] == "ok":
        remember(answer[2] if len(answer) > 2 else None, fetch.body)  # type: ignore[arg-type]
        return settle(fetch, answer[1])  # type: ignore[arg-type]
    log.error("could not judge %s\n%s", fetch.url, answer[2])
    fetch.outcome, fetch.error_kind = "error", f"internal:{answer[1]}"
    return None, []


def integrity_flags(
    body: bytes | Document,
    release: Release,
    site_hosts: frozenset[str],
    integrity: IntegrityConfig | None = None,
    previous: Release | None = None,
) -> list[Flag]:
    """The integrity rules over a page of the site (its bytes, or the :class:`Document` the
    normalizer read), as the site's ``integrity:`` options say."""
    options = integrity or IntegrityConfig()
    return check(
        body,
        release,
        previous=previous,
        site_hosts=site_hosts,
        allow_hosts=options.allow_hosts,
        ignore=options.ignore,
    )


def judge_fetch(ledger: RunLedger, site: SiteConfig, fetch: Fetch) -> tuple[Release | None, list[Flag]]:
    """Judge one fetched page against the release's current version. A bug on one page must not
    lose the run nor read as news: the fetch becomes a failed one (``internal:<exception>``)."""
    try:
        previous = ledger.previous_release(fetch.url) if fetch.outcome == "ok" else None
        return judge(fetch, site.hosts, previous, site.integrity)
    except Exception as exc:
        log.exception("could not judge %s", fetch.url)
        fetch.outcome, fetch.error_kind = "error", f"internal:{type(exc).__name__}"
        return None, []


def record_fetch(
    ledger: RunLedger,
    site: SiteConfig,
    fetch: Fetch,
    *,
    judged: tuple[Release | None, list[Flag]] | None = None,
    attachments: list[AttachmentFetch] | None = None,
) -> None:
    """Judge one fetched page (unless ``judged`` already) and record it, with what its attachments'
    fetches gave, through the run's ledger."""
    release, flags = judged if judged is not None else judge_fetch(ledger, site, fetch)
    ledger.record(fetch, release, flags, attachments)
