"""Helpers for the integrity tests: fixture paths, releases, a one-call ``flags_for``."""

from __future__ import annotations

from crawler.integrity import check
from crawler.model import Flag, Release
from tests.helpers import FIXTURES

OWN = FIXTURES / "integrity"
SITE = "www.example.gov.cn"
SITE_URL = "https://www.example.gov.cn/art/2024/5/20/art_1_2.html"


def release_for(body: bytes | str, url: str | None) -> Release:
    """The normalizer's Release when it works; else a minimal one (the detectors mostly read HTML)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    try:
        from crawler.normalize import normalize

        return normalize(data, url or "")
    except Exception:  # the normalizer is developed concurrently
        return Release(url=url)


def page(body: str) -> str:
    """Wrap a body fragment in a minimal document."""
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title></head><body>{body}</body></html>'


def flags_for(
    html: str | bytes, site_hosts=(SITE,), url: str | None = SITE_URL, rules=None, previous=None
) -> list[Flag]:
    return check(html, Release(url=url), previous=previous, site_hosts=site_hosts, rules=rules)


def critical(flags: list[Flag], rule: str | None = None) -> list[Flag]:
    return [f for f in flags if f.severity == "critical" and (rule is None or f.rule == rule)]
