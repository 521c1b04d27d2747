"""Shared helpers for the integrity tests: fixture paths, releases, a one-call ``flags_for``."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.integrity import check
from crawler.model import Flag, Release

ROOT = Path(__file__).resolve().parents[2]
OWN = ROOT / "tests" / "fixtures" / "integrity"
SHARED = ROOT.parent / "shared" / "fixtures"
REAL = SHARED / "real"
REFERENCE = SHARED / "seed" / "quzhou-fabushilu-2022-09-14.defaced.html"
REFERENCE_URL = "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
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


@pytest.fixture
def reference_bytes() -> bytes:
    if not REFERENCE.is_file():
        pytest.skip(f"reference page not present at {REFERENCE}")
    return REFERENCE.read_bytes()
