"""Which hosts are "the site", which are official, and which are off-site.

Hosts compare case-insensitively, without a port, a trailing dot or a leading ``www.``. The official
list lives in ``hosts.yaml`` beside this file (data, so it can grow without code changes).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

_DATA = Path(__file__).with_name("hosts.yaml")


def norm_host(host: str | None) -> str:
    """``WWW.QZ.gov.cn:8080.`` → ``qz.gov.cn``; IDNs to their Unicode form; '' for nothing."""
    if not host:
        return ""
    host = host.strip().lower()
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    if host.startswith("["):  # IPv6 literal
        return host.split("]", 1)[0] + "]"
    host = host.split(":", 1)[0].rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host


def host_of(url: str | None, base: str | None = None) -> str:
    """Normalized host of ``url`` (resolved against ``base``); '' when it has none or is not web."""
    if not url:
        return ""
    url = url.strip()
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return ""
    try:
        hostname = parts.hostname or ""
    except ValueError:
        return ""
    return f"[{hostname}]" if ":" in hostname else norm_host(hostname)


@cache
def _data() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8")) or {}
    return {key: tuple(norm_host(str(h)) for h in raw.get(key) or ()) for key in raw}


def _within(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains if d)


def is_official(host: str) -> bool:
    """A government domain or a listed official/state-media host."""
    host = norm_host(host)
    if not host:
        return False
    data = _data()
    return _within(host, data.get("official_suffixes", ())) or _within(host, data.get("official_hosts", ()))


def is_vendor(host: str) -> bool:
    """Statistics / inspection / share-widget hosts (ordinary third-party furniture)."""
    return _within(norm_host(host), _data().get("script_vendors", ()))


def site_set(site_hosts: Iterable[str] | None) -> frozenset[str]:
    return frozenset(h for h in (norm_host(x) for x in site_hosts or ()) if h)


def is_site(host: str, sites: frozenset[str]) -> bool:
    """The site itself or one of its subdomains."""
    return _within(norm_host(host), sites)


def is_offsite(host: str, sites: frozenset[str]) -> bool:
    """Neither the site nor official. '' (a relative URL) is never off-site."""
    host = norm_host(host)
    return bool(host) and not is_site(host, sites) and not is_official(host)
