"""A copy of a page against the archive: find the release it claims to be, compare it with every
archived version, report against the closest (``govwatch verify``, the Datasette verify page).

``verify(body, served_url, archive)`` reads only (an ``ArchiveReader`` over a read-only connection)
and returns a :class:`Verdict`: ``faithful`` (exit 0), ``differs`` (1) or ``not_found`` (3);
``VerifyError`` (2) for a page that is not a release. ``Verdict.to_dict()`` is the JSON of
``govwatch verify --json`` (``crawler/schemas/verify.schema.json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crawler.model import Release
from crawler.normalize import normalize
from crawler.store.archive import ArchivedVersion, ArchiveReader
from crawler.verify.compare import Comparison, compare
from crawler.verify.identify import (
    Claim,
    Match,
    by_index_no,
    by_title_date,
    by_url,
    claim_of,
    host_of_url,
)

EXIT = {"faithful": 0, "differs": 1, "not_found": 3}
EXIT_ERROR = 2
_SURER = {"high": 0, "medium": 1, "low": 2}


class VerifyError(Exception):
    """The copy cannot be verified (not a release page); the message says why in one line."""


@dataclass
class HostCheck:
    """Where the copy was served from against where the release was published."""

    served: str | None
    named: str | None
    release: list[str]
    elsewhere: bool | None
    message: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "served": self.served,
            "named": self.named,
            "release": self.release,
            "elsewhere": self.elsewhere,
            "message": self.message,
        }


@dataclass
class Verdict:
    verdict: str
    copy: Release
    claim: Claim
    host: HostCheck
    match: Match | None = None
    version: ArchivedVersion | None = None
    versions: list[ArchivedVersion] = field(default_factory=list)
    comparison: Comparison | None = None
    distances: list[tuple[str, int, int]] = field(default_factory=list)  # (key, version, distance)

    @property
    def exit_code(self) -> int:
        return EXIT[self.verdict]

    @property
    def replaced_at(self) -> str | None:
        """When the next version of the release was first seen (None: the closest is the latest)."""
        if self.version is None:
            return None
        later = [v.first_seen for v in self.versions if v.version > self.version.version]
        return min(later) if later else None

    @property
    def current(self) -> bool:
        return (
            self.version is not None
            and self.match is not None
            and (self.version.version == self.match.release.current_version)
        )

    def summary(self) -> str:
        if self.verdict == "not_found":
            return "not in the archive: no release with this 索引号, URL or title and date"
        assert self.version is not None and self.comparison is not None and self.match is not None
        live = f"v{self.version.version} (live {self.version.first_seen} – {self.replaced_at or self.version.last_seen})"
        if self.verdict == "faithful":
            head = f"faithful to {live}"
        else:
            counts: dict[str, int] = {}
            for p in self.comparison.passages:
                counts[p.change] = counts.get(p.change, 0) + 1
            what = ", ".join(f"{n} {change}" for change, n in counts.items())
            head = f"differs from {live}: {what}"
        if not self.current:
            head += f"; the release has changed since (current v{self.match.release.current_version})"
        return head

    def to_dict(self) -> dict[str, Any]:
        match = None
        if self.match is not None:
            rel = self.match.release
            match = {
                "method": self.match.method,
                "confidence": self.match.confidence,
                "reason": self.match.reason,
                "key": rel.key,
                "index_no": rel.index_no,
                "title": rel.title,
                "site": rel.site,
                "url": rel.url,
                "urls": list(rel.urls),
                "status": rel.status,
            }
        version = None
        if self.version is not None:
            version = {
                "number": self.version.version,
                "of": len(self.versions),
                "current": self.current,
                "first_seen": self.version.first_seen,
                "last_seen": self.version.last_seen,
                "replaced_at": self.replaced_at,
                "url": self.version.url,
                "content_hash": self.version.content_hash,
            }
        return {
            "verdict": self.verdict,
            "summary": self.summary(),
            "copy": {
                "url": self.claim.served_url,
                "title": self.copy.title,
                "index_no": self.copy.index_no,
                "date": self.claim.date,
                "named_urls": self.claim.named_urls,
                "named_host": self.claim.named_host,
                "content_hash": self.copy.content_hash,
            },
            "match": match,
            "version": version,
            "distance": self.comparison.distance if self.comparison else None,
            "passages": [p.to_dict() for p in self.comparison.passages] if self.comparison else [],
            "versions_compared": [{"key": k, "version": n, "distance": d} for k, n, d in self.distances],
            "host": self.host.to_dict(),
        }


def _site_host(host: str | None) -> str | None:
    """A host as a site is named: lower case, no scheme, port or ``www.`` (``SiteDomain`` metas
    hold any of ``www.x.gov.cn``, ``http://www.x.gov.cn/``)."""
    if host and "//" in host:
        host = host_of_url(host)
    host = (host or "").strip().lower().split("/")[0]
    if host.count(":") == 1:
        host = host.split(":")[0]
    return host.removeprefix("www.") or None


def host_check(claim: Claim, release_urls: list[str]) -> HostCheck:
    served = host_of_url(claim.served_url)
    named_url = next((host_of_url(u) for u in claim.named_urls if host_of_url(u)), None)
    named = named_url or (_site_host(claim.named_host) if claim.named_host else None)
    hosts = list(dict.fromkeys(h for h in (host_of_url(u) for u in release_urls) if h))
    site_hosts = {_site_host(h) for h in hosts}
    elsewhere: bool | None = None
    message = None
    if served and hosts:
        elsewhere = _site_host(served) not in site_hosts
        if elsewhere:
            message = f"the copy is served from {served}, not the release's host {', '.join(hosts)}"
    elif served and named:
        elsewhere = _site_host(served) != _site_host(named)
        if elsewhere:
            message = f"the copy is served from {served} while it names {named} as its own host"
    return HostCheck(served, named, hosts, elsewhere, message)


def verify(
    body: bytes,
    served_url: str | None,
    archive: ArchiveReader,
    headers: Mapping[str, str] | None = None,
) -> Verdict:
    """The copy ``body`` (served at ``served_url``, if known) against the archive."""
    copy = normalize(body, served_url or "", headers)
    if not copy.is_release:
        raise VerifyError(
            f"the page is not a release ({copy.not_release_reason or 'unknown'}): nothing to compare"
        )
    claim = claim_of(body, copy, served_url, headers)
    matches: list[Match] = []
    if claim.index_no:
        matches = by_index_no(claim, archive.by_index_no(claim.index_no))
    if not matches and claim.urls:
        matches = by_url(claim, archive.by_urls(claim.urls))
    if not matches and claim.title:
        matches = by_title_date(claim, archive.by_title(claim.title))
    if not matches:
        return Verdict("not_found", copy, claim, host_check(claim, []))

    fields = copy.to_dict()
    best: tuple[tuple[int, int, int], Match, ArchivedVersion, list[ArchivedVersion], Comparison] | None = None
    distances: list[tuple[str, int, int]] = []
    for match in matches:
        versions = archive.versions(match.release.key)
        for version in versions:
            comparison = compare(version.fields, fields)
            distances.append((match.release.key, version.version, comparison.distance))
            rank = (comparison.distance, _SURER[match.confidence], -version.version)
            if best is None or rank < best[0]:
                best = (rank, match, version, versions, comparison)
    if best is None:  # a release without versions cannot be: the store makes both at once
        return Verdict("not_found", copy, claim, host_check(claim, []))
    _rank, match, version, versions, comparison = best
    return Verdict(
        "faithful" if comparison.faithful else "differs",
        copy,
        claim,
        host_check(claim, list(match.release.urls)),
        match,
        version,
        versions,
        comparison,
        distances,
    )
