"""Dates as lists print them → ``YYYY-MM-DD``."""

from __future__ import annotations

import re
from datetime import date

_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?"
)
_COMPACT = re.compile(r"(?<!\d)t?((?:19|20)\d{2})(\d{2})(\d{2})(?=_)")


def _valid(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def find_date(text: str | None) -> str | None:
    """The first valid date in ``text`` (2022-9-1, 2022/09/01, 2022.9.1, 2022年9月1日) as YYYY-MM-DD."""
    if not text:
        return None
    for match in _DATE.finditer(text):
        found = _valid(*match.groups())
        if found:
            return found
    return None


def date_from_url(url: str) -> str | None:
    """TRS detail URLs carry the date: ``…/202209/t20220914_123.html`` → 2022-09-14."""
    match = _COMPACT.search(url.rsplit("/", 1)[-1])
    return _valid(*match.groups()) if match else None


_MONTH_DAY = re.compile(r"(?<![\d.\-/年])(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?")


def month_day_date(text: str | None, url: str) -> str | None:
    """A year-less list date (``06-29``, ``6月29日``) given its year by the TRS URL's own date."""
    from_url = date_from_url(url)
    if not text or not from_url:
        return None
    for match in _MONTH_DAY.finditer(text):
        found = _valid(from_url[:4], *match.groups())
        if found:
            return found
    return None
