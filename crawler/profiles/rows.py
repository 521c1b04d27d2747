"""One list row (an lxml element holding an item's link) → a :class:`ListItem`.

The title is the link's ``title`` attribute, else its text without the date it may carry. The date is
the one the row prints beside the link (never one inside the title: "关于2022年10月1日起施行…"), else
a date element inside the link, else a year-less ``06-29`` dated by the URL, else the TRS URL's own
``tYYYYMMDD``.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from crawler.profiles.base import ListItem
from crawler.profiles.common import absolute, clean
from crawler.profiles.dates import date_from_url, find_date, month_day_date

_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})


def texts(node: etree._Element, skip: Iterable[etree._Element] | etree._Element | None = None) -> str:
    """The visible text under ``node``, in order; the subtrees of ``skip`` left out (their tails kept)."""
    skipped = {id(s) for s in ([skip] if isinstance(skip, etree._Element) else (skip or []))}
    parts: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(node, False)]
    while stack:  # iterative: pages nest deeper than Python recurses
        el, tail_only = stack.pop()
        if tail_only:
            if el.tail and el is not node:
                parts.append(el.tail)
            continue
        stack.append((el, True))
        if id(el) in skipped or not isinstance(el.tag, str) or el.tag in _SKIP_TEXT:
            continue
        if el.text:
            parts.append(el.text)
        stack.extend((child, False) for child in reversed(el))
    return " ".join(parts)


def _dated_children(anchor: etree._Element) -> list[etree._Element]:
    """Elements inside the link whose whole text is a date (``<a>…<div class="li-btn">2026-09-11</div></a>``)."""
    found = []
    for el in anchor.iter():
        if el is anchor or not isinstance(el.tag, str):
            continue
        text = clean(texts(el)) or ""
        if text and len(text) <= 24 and find_date(text):
            found.append(el)
    return found


def title_of(anchor: etree._Element) -> str | None:
    title = clean(anchor.get("title"))
    if title:
        return title
    return clean(texts(anchor, skip=_dated_children(anchor)))


def _after(row: etree._Element, limit: int = 60) -> str:
    """Text printed right after the row, up to the next link or line break: ``<a>…</a> 2022-09-14<br>``,
    ``<dt><a>…</a></dt><dd>2022-09-14</dd>``."""
    parts = [row.tail or ""]
    for sibling in row.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag in ("br", "hr", row.tag):
            break
        if sibling.tag == "a" or next(sibling.iter("a"), None) is not None:
            break
        parts.append(texts(sibling))
        parts.append(sibling.tail or "")
        if sum(len(p) for p in parts) > limit:
            break
    return " ".join(parts)[:limit]


def date_of(row: etree._Element, anchor: etree._Element, url: str) -> str | None:
    beside = texts(row, skip=anchor) if row is not anchor else ""
    found = find_date(beside) or find_date(_after(row))
    if found:
        return found
    for el in _dated_children(anchor):
        found = find_date(texts(el))
        if found:
            return found
    title = clean(anchor.get("title"))
    inside = clean(texts(anchor)) or ""
    if title and title in inside:  # "标题 2022-09-14" inside the link, the title in @title
        found = find_date(inside.replace(title, " "))
        if found:
            return found
    return month_day_date(beside, url) or month_day_date(_after(row), url) or date_from_url(url)


def row_item(row: etree._Element, anchor: etree._Element, base: str) -> ListItem | None:
    url = absolute(anchor.get("href"), base)
    if not url:
        return None
    return ListItem(url=url, title=title_of(anchor), date=date_of(row, anchor, url))
