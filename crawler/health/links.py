"""The links and attachments of each release's current version (``release_links``): which URLs a
version carries, which are off-site, and the sync that keeps the inventory current.

Only releases whose current version changed since the last sync are re-read (their ``fields`` JSON),
so a run over a large site reads a handful of rows, not every version.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from crawler.store import LinkRow, Store


def host_of(url: str) -> str | None:
    try:
        return (urlsplit(url).hostname or "").lower() or None
    except ValueError:
        return None


def _bare(host: str) -> str:
    return host.removeprefix("www.")


def is_offsite(host: str | None, site_hosts: Collection[str]) -> bool:
    """Off the site: a host that is neither the site's nor an alias (``www.`` ignored, as the spider)."""
    if not host:
        return False
    return _bare(host) not in {_bare(h) for h in site_hosts}


def checkable(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and host_of(url) is not None


def links_of(fields: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """``(kind, url, text)`` for a version's attachments then links, each (kind, URL) once."""
    out: list[tuple[str, str, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for kind, items, label in (
        ("attachment", fields.get("attachments"), "name"),
        ("link", fields.get("links"), "text"),
    ):
        for item in items or []:
            url = (item or {}).get("url")
            if not url or not checkable(url) or (kind, url) in seen:
                continue
            seen.add((kind, url))
            out.append((kind, url, item.get(label)))
    return out


def sync_links(store: Store, site: str, site_hosts: Collection[str], ts: str) -> int:
    """Bring ``release_links`` up to the current versions of ``site``'s releases (one transaction);
    returns how many releases were re-read."""
    with store.transaction():
        stale = store.health.releases_to_sync(site)
        for release in stale:
            rows = [
                LinkRow(kind, url, text, host_of(url), is_offsite(host_of(url), site_hosts))
                for kind, url, text in links_of(release.fields)
            ]
            store.health.replace_links(site, release, rows, ts)
        store.health.touch_live_links(site, ts)
    return len(stale)
