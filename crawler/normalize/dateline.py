"""The visible date line of an article ("发布时间：2024-10-08  来源：…"), outside its body.

Three forms, tried in this order, each preferring the first line after the title heading and before
the body (where a date line sits), then the first line anywhere outside the body:

1. a labelled date — ``日期：``, ``时间：``, ``发布时间：``, ``发布日期：``, ``公开日期：`` … with the label at a
   word start (``成交日期：``, ``开始时间：`` are other dates);
2. a source line — a short line that names the source (``来源：``) and holds one date, labelled or not
   (``2022-05-07 00:00 来源：…``, ``来源：宣教中心 2022-11-14 14:59:48``);
3. a date element — an element whose class or id says time/date (``<span id="pubTime">``,
   ``<small class="Article-time">``, ``<publishtime>``) holding little but the date.

Dates of linked items (related-article lists, 关联稿件) and dates after another label (``开始时间：``,
``成交日期：``) never count; neither does anything inside the body (a meeting notice's ``时间：``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from lxml import etree

from .dates import parse_datetime
from .dom import text_of
from .text import collapse

_DATE = r"(?:19|20)\d{2}\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2}"
_DATE_RE = re.compile(_DATE)
_LABELLED_RE = re.compile(
    rf"(?:^|(?<=[^\u4e00-\u9fff]))(?:发布|公开|发表|发稿|上网)?(?:日期|时间)\s*[:：∶]\s*(?=({_DATE}))"
)
_SOURCE_RE = re.compile(r"来\s*源\s*[:：∶]")
#: a date right after some other label ("开始时间：", "成交日期：", "截止日期：")
_OTHER_LABEL_RE = re.compile(r"[\u4e00-\u9fff]{1,8}\s*[:：∶]\s*$")
_OWN_LABEL_RE = re.compile(r"(?:^|[^\u4e00-\u9fff])(?:发布|公开|发表|发稿|上网)?(?:日期|时间)\s*[:：∶]\s*$")
_CLASS_RE = re.compile(r"time|date|fbsj|fbrq|riqi|shijian")
_TODAY_RE = re.compile(r"now|today|curr|jintian|riqi_?top|topdate")
_DATE_TAGS = frozenset(("publishtime", "pubtime", "time", "publishdate"))
_MAX_LINE = 160
_MAX_CHILDREN = 12
_MAX_LEFTOVER = 14  # characters besides the date in a date element ("发布时间：", seconds …)


@dataclass
class _Line:
    element: etree._Element
    kind: int  # 1 labelled, 2 source line, 3 date element
    value: str
    position: int = 0


def _linked(element: etree._Element) -> bool:
    """Part of a linked item: a related-article list's ``<li><a>…</a><span>date</span></li>``."""
    for holder in (element, *element.iterancestors()):
        if holder.tag == "a":
            return True
        if holder.tag in ("li", "tr", "dd", "p", "div"):
            return any(len(text_of(a).strip()) >= 6 for a in holder.iter("a"))
    return False


def _after_other_label(text: str, start: int) -> bool:
    before = text[max(0, start - 12) : start]
    return bool(_OTHER_LABEL_RE.search(before)) and not _OWN_LABEL_RE.search(before)


def _classify(element: etree._Element, text: str) -> tuple[int, str] | None:
    labelled = _LABELLED_RE.search(text)
    if labelled:
        return 1, text[labelled.start(1) :]
    dates = list(_DATE_RE.finditer(text))
    if not dates:
        return None
    first = dates[0]
    if _after_other_label(text, first.start()):
        return None
    if _SOURCE_RE.search(text) and len(dates) == 1:
        return 2, text[first.start() :]
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if _TODAY_RE.search(names) or "星期" in text:
        return None  # the header's "today is …" widget, not the article's date
    if element.tag in _DATE_TAGS or _CLASS_RE.search(names):
        leftover = len(text) - (first.end() - first.start())
        if len(dates) == 1 and leftover <= _MAX_LEFTOVER + 10:
            return 3, text[first.start() :]
    return None


def date_line(
    root: etree._Element,
    body: Collection[etree._Element] = (),
    title_element: Callable[[], etree._Element | None] | etree._Element | None = None,
    body_start: etree._Element | None = None,
    skip: Collection[etree._Element] = (),
) -> str | None:
    """ISO ``published_at`` from the page's visible date line, else None. ``title_element`` may be a
    callable, asked for only when lines compete; ``skip``: elements of the disclosure block (its
    dates are fields of their own)."""
    everything = list(root.iter())
    lines = _lines(_dated(everything, body), body, skip)
    if not lines:
        return None
    if len(lines) == 1 and lines[0].kind == 1:
        return lines[0].value  # one labelled date line: no need to find the heading
    title = title_element() if callable(title_element) else title_element
    order = {element: n for n, element in enumerate(everything)}
    start = order.get(title, -1) if title is not None else -1
    end = order.get(body_start, len(order)) if body_start is not None else len(order)
    between = [line for line in lines if start < order.get(line.element, 0) < end]
    if title is None:
        # without a heading to start from, a bare date element may be the header's clock
        between = [line for line in between if line.kind != 3]
    for pool in (between, lines):
        for kind in (1, 2, 3):
            ranked = sorted((ln for ln in pool if ln.kind == kind), key=lambda ln: order.get(ln.element, 0))
            if ranked and (kind == 1 or pool is between):
                return ranked[0].value
    return None


def _has_date(text: str | None) -> bool:
    return (
        text is not None
        and len(text) > 7
        and ("20" in text or "19" in text)
        and _DATE_RE.search(text) is not None
    )


def _dated(elements: list[etree._Element], body: Collection[etree._Element]) -> list[etree._Element]:
    """The elements outside the body whose own text, or a child's tail, holds a date (in document
    order). The body's long texts are not even read."""
    found: list[etree._Element] = []
    for element in elements:
        if element in body:
            continue
        if _has_date(element.text):
            found.append(element)
        if _has_date(element.tail):
            parent = element.getparent()
            if parent is not None:
                found.append(parent)
    return found


def _lines(
    owners: list[etree._Element], body: Collection[etree._Element], skip: Collection[etree._Element]
) -> list[_Line]:
    lines: list[_Line] = []
    seen: set[etree._Element] = set()
    for position, element in enumerate(owners):
        if element in body or element in skip or not isinstance(element.tag, str):
            continue  # the body's dates, and the block's own (成文日期 …), are no date line
        # the element and a few ancestors: the date may sit apart from its label or its source
        holder: etree._Element | None = element
        for _ in range(3):
            if holder is None or holder.tag in ("body", "html") or holder in seen or holder in body:
                break
            seen.add(holder)
            if len(holder) > _MAX_CHILDREN:
                break  # a container of many elements is no line (and its text is costly to read)
            raw = text_of(holder)
            if len(raw) > _MAX_LINE * 3:
                break
            text = collapse(raw).strip()
            if len(text) > _MAX_LINE:
                break
            found = _classify(holder, text)
            if found is not None and not _in_tool(holder) and not _linked(holder):
                value = parse_datetime(found[1])
                if value:
                    lines.append(_Line(holder, found[0], value, position))
                    break
            holder = holder.getparent()
    return lines


def _in_tool(element: etree._Element) -> bool:
    """Inside a form or a select (a date filter of a search box)."""
    return any(ancestor.tag in ("form", "select", "option") for ancestor in element.iterancestors())
