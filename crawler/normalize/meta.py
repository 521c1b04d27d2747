"""The standard page meta tags (《政府网站发展指引》) and the page's title."""

from __future__ import annotations

import re

from lxml import etree

from .dom import text_of
from .text import clean

#: meta names read (lower-cased) → our key
META_NAMES = {
    "articletitle": "title",
    "pubdate": "published_at",
    "contentsource": "publisher",
    "sitename": "site_name",
    "columnname": "column",
}
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s-\s|——\s*$)\s*")


def read_meta(root: etree._Element) -> dict[str, str]:
    """First non-empty content of each standard meta tag. Attribute text is text, never markup."""
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        name = (element.get("name") or "").strip().lower()
        key = META_NAMES.get(name)
        if key and key not in found:
            value = clean(element.get("content"))
            if value:
                found[key] = value
    return found


def page_title(root: etree._Element, site_name: str | None) -> str | None:
    """``<title>`` without the site-name suffix, else the first ``<h1>``."""
    for element in root.iter("title"):
        title = clean(text_of(element))
        if title:
            return _strip_suffix(title, site_name)
    for element in root.iter("h1"):
        title = clean(text_of(element))
        if title:
            return title
    return None


def _strip_suffix(title: str, site_name: str | None) -> str:
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) > 1 and len(parts[0]) >= 4:
        return parts[0]
    if site_name and title.endswith(site_name) and len(title) > len(site_name) + 3:
        return title[: -len(site_name)].rstrip(" -_|")
    return title
