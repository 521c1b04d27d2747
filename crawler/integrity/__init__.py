"""Integrity: catch defaced and hijacked government pages.

Pure detectors over a fetch's raw HTML and its normalized ``Release`` (plus the previous version and
the site's hosts) returning ``Flag(rule, severity, evidence, location)``::

    from crawler.integrity import check, is_tampered, DETECTORS
    flags = check(html, release, previous=None, site_hosts={"www.qz.gov.cn"},
                  allow_hosts=(), ignore=())   # a site's `integrity:` options
    is_tampered(flags)   # any critical flag

The HTML is parsed once into a :class:`~crawler.integrity.page.Page` that every detector shares; given
the :class:`~crawler.normalize.Document` the normalizer read, ``check`` shares its decoding and tree.
Host rules (host mismatch, hidden off-site links, off-site redirects) are skipped when ``site_hosts``
is empty: the site is never guessed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from crawler.integrity.detectors import load_all
from crawler.integrity.page import Page
from crawler.integrity.registry import DETECTORS, MAX_FLAGS_PER_RULE, register
from crawler.model import Flag, Release
from crawler.normalize.document import Document

__all__ = ["DETECTORS", "Page", "check", "is_tampered", "register"]

_ORDER = {"critical": 0, "warning": 1, "info": 2}

load_all()


def check(
    html: bytes | str | Document,
    release: Release | None,
    previous: Release | None = None,
    site_hosts: Collection[str] | None = None,
    rules: Iterable[str] | None = None,
    allow_hosts: Collection[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[Flag]:
    """Every detector (or only ``rules``, less ``ignore``) over one page; critical flags first.
    ``allow_hosts``: hosts the site has checked and accepts (never off-site, never a mismatch)."""
    names = list(rules) if rules is not None else list(DETECTORS)
    skipped = set(ignore)
    unknown = [n for n in [*names, *skipped] if n not in DETECTORS]
    if unknown:
        raise ValueError(f"unknown integrity rule(s) {', '.join(unknown)}; known: {', '.join(DETECTORS)}")
    names = [n for n in names if n not in skipped]
    page = Page.build(html, release, site_hosts, allow_hosts)
    page.previous = previous
    flags: list[Flag] = []
    for name in names:
        found = list(DETECTORS[name](page))
        found.sort(key=lambda f: _ORDER.get(f.severity, 3))
        flags.extend(found[:MAX_FLAGS_PER_RULE])
    flags.sort(key=lambda f: _ORDER.get(f.severity, 3))
    return flags


def is_tampered(flags: Iterable[Flag]) -> bool:
    return any(f.severity == "critical" for f in flags)
