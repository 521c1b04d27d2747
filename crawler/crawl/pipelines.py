"""What becomes of each fetched page: normalize → integrity → the run's ledger, in that order."""

from __future__ import annotations

import logging

from crawler.config import IntegrityConfig, SiteConfig
from crawler.integrity import check
from crawler.model import AttachmentFetch, Fetch, Flag, Release
from crawler.normalize import Document, normalize_document
from crawler.store import RunLedger

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
    doc = Document(fetch.body, fetch.headers)
    release = normalize_document(doc, fetch.url)
    if not release.is_release:
        reason = release.not_release_reason or "unknown"
        fetch.not_release_reason = reason
        if reason == "gone":
            fetch.outcome = "gone"
        else:
            fetch.outcome = "error"
            fetch.error_kind = "not_release"
        return None, []
    return release, integrity_flags(doc, release, site_hosts, integrity, previous)


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
