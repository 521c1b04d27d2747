"""Which release a copy claims to be: by its 索引号, else the URL it names (``Url`` meta, canonical
link, ``og:url``) or is served at, else its title and date — and how sure that is. Pure.

- ``索引号``: the archive holds the copy's 索引号. *high* when the titles agree too, else *medium* (the
  number matches, the title does not: a misquoted number or a reworded title).
- ``url``: a URL the page names as its own (or the one it was served at, or ``--url``) is one the
  archive saw the release at. *high* when the titles agree, else *medium*.
- ``title_date``: a release with the same title (folded) and the same date. *medium* when exactly one
  release has both, *low* when several do or only the title agrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from crawler.model import Release
from crawler.normalize.decode import decode_html
from crawler.normalize.dom import parse
from crawler.store.archive import ArchivedRelease
from crawler.verify.text import fold

#: what a page says its own URL is: meta names (lower-cased), then <link rel=canonical>, then og:url
URL_METAS = ("url", "pageurl", "page_url", "articleurl")
HOST_METAS = ("sitedomain",)

Method = str  # "index_no" | "url" | "title_date"


@dataclass
class Claim:
    """What a copy says about itself."""

    index_no: str | None
    title: str | None
    date: str | None  # YYYY-MM-DD: written date, else the date of publication
    named_urls: list[str] = field(default_factory=list)  # URLs the page names as its own
    named_host: str | None = None  # the SiteDomain meta
    served_url: str | None = None  # where the copy was fetched from (or --url)

    @property
    def urls(self) -> list[str]:
        """Every URL to look up, the page's own first, each in its http/https and port spellings."""
        out: list[str] = []
        for url in [*self.named_urls, *([self.served_url] if self.served_url else [])]:
            out += url_variants(url)
        return list(dict.fromkeys(out))


@dataclass
class Match:
    release: ArchivedRelease
    method: Method
    confidence: str  # high | medium | low
    reason: str


def url_variants(url: str) -> list[str]:
    """``url`` as the archive may hold it: fragment dropped, host lower-cased, default port dropped,
    http and https both."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return []
    if parts.scheme.lower() not in ("http", "https") or not host:
        return []
    netloc = f"[{host}]" if ":" in host else host
    scheme = parts.scheme.lower()
    if port is not None and port != (80 if scheme == "http" else 443):
        netloc = f"{netloc}:{port}"
    return [
        urlunsplit((s, netloc, parts.path or "/", parts.query, ""))
        for s in (scheme, "https" if scheme == "http" else "http")
    ]


def _declared(root: etree._Element) -> tuple[list[str], str | None]:
    urls: list[str] = []
    host = None
    for element in root.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if not content:
            continue
        if name in URL_METAS or name == "og:url":
            urls.append(content)
        elif name in HOST_METAS and host is None:
            host = content
    for element in root.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split() and element.get("href"):
            urls.insert(0, element.get("href", "").strip())
    return [u for u in urls if u.lower().startswith(("http://", "https://"))], host


def claim_of(
    body: bytes, release: Release, served_url: str | None, headers: Mapping[str, str] | None = None
) -> Claim:
    """The copy's claim: its 索引号, title and date from the normalized release, the URLs and host
    its metas name."""
    text, _encoding = decode_html(body, headers)
    root = parse(text)
    named, host = _declared(root) if root is not None else ([], None)
    date = release.written_date or (release.published_at or "")[:10] or None
    return Claim(release.index_no, release.title, date, named, host, served_url or None)


def _release_date(rel: ArchivedRelease) -> str | None:
    return rel.written_date or (rel.published_at or "")[:10] or None


def by_index_no(claim: Claim, found: Iterable[ArchivedRelease]) -> list[Match]:
    out = []
    for rel in found:
        agree = fold(rel.title) == fold(claim.title)
        reason = f"索引号 {claim.index_no}" + (
            " and the title agree" if agree else f" matches; the title differs ({rel.title or '-'})"
        )
        out.append(Match(rel, "index_no", "high" if agree else "medium", reason))
    return out


def by_url(claim: Claim, found: Iterable[ArchivedRelease]) -> list[Match]:
    out = []
    wanted = set(claim.urls)
    for rel in found:
        url = next((u for u in rel.urls if u in wanted), rel.url)
        named = any(url in url_variants(n) for n in claim.named_urls)
        source = "the URL the page names as its own" if named else "the URL it was given"
        agree = fold(rel.title) == fold(claim.title)
        reason = f"{source} ({url}) is the release's" + (
            "; the title agrees" if agree else f"; the title differs ({rel.title or '-'})"
        )
        out.append(Match(rel, "url", "high" if agree else "medium", reason))
    return out


def by_title_date(claim: Claim, found: Iterable[ArchivedRelease]) -> list[Match]:
    titled = [rel for rel in found if fold(rel.title) and fold(rel.title) == fold(claim.title)]
    dated = [rel for rel in titled if claim.date and _release_date(rel) == claim.date]
    if dated:
        confidence = "medium" if len(dated) == 1 else "low"
        many = "" if len(dated) == 1 else f" ({len(dated)} releases share them)"
        return [
            Match(rel, "title_date", confidence, f"title and date ({claim.date}) agree{many}")
            for rel in dated
        ]
    return [
        Match(
            rel,
            "title_date",
            "low",
            f"only the title agrees (the copy's date {claim.date or 'none'}, the release's "
            f"{_release_date(rel) or 'none'})",
        )
        for rel in titled
    ]


def host_of_url(url: str | None) -> str | None:
    try:
        parts = urlsplit(url or "")
        return (parts.hostname or "").lower() or None
    except ValueError:
        return None
