"""The breadcrumb ("当前位置：首页 > 信息公开 > …"), kept as its own field."""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from .dom import classes, text_of
from .text import clean, compact

_CLASS_RE = re.compile(r"position|crumb|location|weizhi|dqwz|curpos|currentpos|lujing|\bplace\b|\bbread")
_LEAD_RE = re.compile(
    r"^(当前位置|您的位置|你的位置|您现在的位置|你现在的位置|您当前的位置|当前的位置|所在位置|位置)[:：]?"
)
_SEPARATORS = " >＞»›→/|\u3000\u00a0-:："
_MAX_TEXT = 400
_TAGS = ("div", "span", "td", "p", "ul", "ol", "nav", "section", "li", "dl", "tr", "table")


def _items(container: etree._Element) -> list[str]:
    full = clean(text_of(container)) or ""
    items: list[str] = []
    position = 0
    for anchor in container.iter("a"):
        raw = clean(text_of(anchor))
        if not raw:
            continue
        found = full.find(raw, position)
        if found >= 0:
            position = found + len(raw)
        text = _LEAD_RE.sub("", raw).strip(_SEPARATORS)
        if text:
            items.append(text)
    if not items:
        return [p for p in (s.strip(_SEPARATORS) for s in re.split(r"[>＞»›→]", _after_lead(container))) if p]
    trailing = full[position:].strip(_SEPARATORS)
    if trailing and len(trailing) <= 30 and not any(sep in trailing for sep in "><＞»›"):
        items.append(trailing)
    return items


def _after_lead(container: etree._Element) -> str:
    text = clean(text_of(container)) or ""
    return _LEAD_RE.sub("", text)


def _leads(element: etree._Element) -> bool:
    return bool(element.text) and bool(_LEAD_RE.match(compact(element.text)))


def _climb(element: etree._Element) -> etree._Element:
    """From the element holding "当前位置", go up while that gathers more links in little text."""
    best = element
    links = len(list(element.iter("a")))
    current = element
    for _ in range(3):
        parent = current.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if len(text_of(parent)) > _MAX_TEXT:
            break
        more = len(list(parent.iter("a")))
        if more > links:
            best, links = parent, more
        current = parent
    return best


def breadcrumb(root: etree._Element, exclude: Collection[etree._Element] = ()) -> list[str]:
    """The breadcrumb's items, from a "当前位置" block or a .position/.crumb/… element."""
    for element in root.iter(*_TAGS):
        if element in exclude:
            continue
        if _leads(element):
            items = _items(_climb(element))
            if items:
                return items
        elif _CLASS_RE.search(classes(element)):
            text = text_of(element)
            if len(text) <= _MAX_TEXT and element.find(".//a") is not None:
                items = _items(element)
                if items:
                    return items
    return []
