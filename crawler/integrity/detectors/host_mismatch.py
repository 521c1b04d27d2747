"""``host_mismatch`` (info): the page's ``Url`` / ``SiteDomain`` meta, canonical link or og:url names a
host that is not the site's — a copy or a mirror served from elsewhere. ``SiteDomain`` may list several
hosts (``www.a.gov.cn,a.gov.cn``): one of them being the site is enough. Skipped without site hosts."""

from __future__ import annotations

import re

from crawler.integrity import hosts
from crawler.integrity.page import Page
from crawler.integrity.registry import clip, register
from crawler.model import Flag

RULE = "host_mismatch"


_LIST = re.compile(r"[,，;；|\s]+")


def _host(page: Page, value: str) -> str:
    return page.host(value) if "/" in value else hosts.norm_host(value)


def _claims(page: Page):
    """``(where, value, hosts)``: each claim names one host, or several (``SiteDomain`` may list the
    site's hosts separated by commas); a claim matches when any of its hosts is the site."""
    for name in ("url", "sitedomain"):
        if name in page.metas:
            el, value = page.metas[name]
            value = value.strip()
            parts = [p for p in _LIST.split(value) if p] if name == "sitedomain" else [value]
            found = [h for h in (_host(page, p) for p in parts) if h]
            yield f"head meta[name={el.get('name')}]", value, found
    for el, value in page.canonical:
        where = "head link[rel=canonical]" if el.tag == "link" else "head meta[property=og:url]"
        yield where, value, [h for h in [page.host(value)] if h]


@register(RULE)
def detect(page: Page) -> list[Flag]:
    if not page.has_sites:
        return []
    flags = []
    for where, value, named in _claims(page):
        if named and not any(page.accepted(host) for host in named):
            served = ", ".join(sorted(page.sites))
            evidence = f"page names {', '.join(named)} ({value}) but is served as {served}"
            flags.append(Flag(RULE, "info", clip(evidence), where))
    return flags
