"""``host_mismatch`` (info): the page's ``Url`` / ``SiteDomain`` meta, canonical link or og:url names a
host that is not the site's — a copy or a mirror served from elsewhere. Skipped without site hosts."""

from __future__ import annotations

from crawler.integrity import hosts
from crawler.integrity.page import Page
from crawler.integrity.registry import clip, register
from crawler.model import Flag

RULE = "host_mismatch"


def _claims(page: Page):
    for name in ("url", "sitedomain"):
        if name in page.metas:
            el, value = page.metas[name]
            value = value.strip()
            if name == "sitedomain" and "/" not in value:
                host = hosts.norm_host(value)
            else:
                host = page.host(value)
            yield f"head meta[name={el.get('name')}]", value, host
    for el, value in page.canonical:
        where = "head link[rel=canonical]" if el.tag == "link" else "head meta[property=og:url]"
        yield where, value, page.host(value)


@register(RULE)
def detect(page: Page) -> list[Flag]:
    if not page.has_sites:
        return []
    flags = []
    for where, value, host in _claims(page):
        if host and not hosts.is_site(host, page.sites):
            served = ", ".join(sorted(page.sites))
            evidence = f"page names {host} ({value}) but is served as {served}"
            flags.append(Flag(RULE, "info", clip(evidence), where))
    return flags
