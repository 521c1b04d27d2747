"""The crawl's side of the URL policy (``crawler.net.urlpolicy``): what a list page names outside the
watched site — a sister site's item, another port, ``file:``, ``data:``, an href no parser can read —
is dropped with a warning naming it, and the rest of the page is read."""

from __future__ import annotations

import logging
from dataclasses import replace

from crawler.net.urlpolicy import SiteScope, shown
from crawler.profiles import ListPage

log = logging.getLogger("govwatch.crawl")

#: warnings per list page; the rest are counted in one line
MAX_WARNINGS = 5


def scoped_page(page: ListPage, scope: SiteScope, list_url: str) -> tuple[ListPage, str | None]:
    """``page`` without the items the crawl may not request, and why its next-page request was refused
    (None when it is fine or there is none; the returned page then has no ``next``)."""
    kept = []
    refused = 0
    for item in page.items:
        problem = scope.problem(item.url)
        if problem is None:
            kept.append(item)
            continue
        refused += 1
        if refused <= MAX_WARNINGS:
            log.warning("list item skipped, %s (listed on %s)", problem, shown(list_url))
    if refused > MAX_WARNINGS:
        log.warning("%d more list items skipped on %s", refused - MAX_WARNINGS, shown(list_url))
    next_problem = scope.problem(page.next.url) if page.next is not None else None
    if next_problem is not None:
        log.warning("next list page not followed, %s (linked from %s)", next_problem, shown(list_url))
    if refused or next_problem:
        page = replace(page, items=kept, next=None if next_problem else page.next)
    return page, next_problem


def refused(scope: SiteScope, url: str, what: str) -> bool:
    """True (after a warning naming it) when the crawl may not request ``url``."""
    problem = scope.problem(url)
    if problem is None:
        return False
    log.warning("%s not fetched, %s", what, problem)
    return True
