"""The release's title: ``ArticleTitle`` → a labelled 名称/标题 → the main heading → ``<title>``.

The main heading is the heading (``h1``–``h4``, or an element whose class says title) whose text the
``<title>`` contains — site banners (``万载县人民政府-``), column headings (``本市动态``) and subtitles
are not it — else the last heading before the body. A heading's trailing date and source line
(``<h2>TITLE <small>2023-08-19 来源：解放日报</small></h2>``) are not title.

``<title>`` is split at its separators (``_``, ``|``, `` - ``, ``-`` between words) and the parts that
name the site or the column are dropped: those equal to the ``SiteName``/``ColumnName`` metas or a
breadcrumb item, and names of sites (…人民政府, …门户网站, …政府网, …数据库). What remains (the part a
heading repeats, else the longest) is the title; a ``<title>`` that only names the site gives none.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from lxml import etree

from .dom import text_of
from .labels import is_label
from .text import clean, compact

_HEADINGS = ("h1", "h2", "h3", "h4")
_TITLE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:\w*title\w*|biaoti|bt|tit|wztit|art_tit)(?:$|[\s_-])")
_NOT_TITLE_RE = re.compile(r"sub-?title|fbt|subhead|site|logo|column|lanmu|nav|menu|crumb|position|share")
_SEPARATOR_RE = re.compile(r"\s*(?:_{1,3}|\||｜|\s[-–—]+\s|(?<![0-9A-Za-z])-(?![0-9A-Za-z])|\s[-–—]+$)\s*")
_TRAILING_DATE_RE = re.compile(
    r"\s+(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|来\s*源\s*[:：]|发布时间|字号\s*[:：]).*$",
    re.S,
)
#: endings of a site's name (a ``<title>`` part that only names the site is no title)
SITE_NAME_ENDINGS = (
    "人民政府",
    "人民政府网",
    "政府网",
    "政府网站",
    "门户网站",
    "门户网",
    "政务网",
    "政务服务网",
    "信息网",
    "数据库",
    "之窗",
    "网站",
    "官网",
    "官方网站",
)
_MIN_TITLE = 4
_MAX_TITLE = 300


def looks_like_site(text: str) -> bool:
    squeezed = compact(text).rstrip("-_|")
    return squeezed.endswith(SITE_NAME_ENDINGS)


def page_title_text(root: etree._Element) -> str | None:
    for element in root.iter("title"):
        title = clean(text_of(element))
        if title:
            return title
    return None


def heading_text(element: etree._Element) -> str | None:
    text = clean(text_of(element))
    if not text:
        return None
    text = _TRAILING_DATE_RE.sub("", text).strip()
    if not (_MIN_TITLE <= len(compact(text)) <= _MAX_TITLE):
        return None
    return text


def heading_candidates(root: etree._Element) -> list[etree._Element]:
    """h1–h4, ``<ucaptitle>`` and elements whose class or id names a title, in document order."""
    found = []
    for element in root.iter():
        tag = element.tag
        if tag in _HEADINGS or tag == "ucaptitle":
            found.append(element)
            continue
        cls, ident = element.get("class"), element.get("id")
        if cls or ident:
            names = f"{cls or ''} {ident or ''}".lower()
            if "tit" in names or "bt" in names or "biaoti" in names:
                found.append(element)
    return found


def _candidates(
    root: etree._Element, elements: Iterable[etree._Element] | None = None
) -> list[tuple[etree._Element, str, bool]]:
    found = []
    for element in root.iter() if elements is None else elements:
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag not in _HEADINGS and tag != "ucaptitle":
            cls, ident = element.get("class"), element.get("id")
            if not cls and not ident:
                continue
            names = f"{cls or ''} {ident or ''}".lower()
            if (
                "tit" not in names and "bt" not in names and "biaoti" not in names
            ) or not _TITLE_CLASS_RE.search(names):
                continue
            if tag in ("body", "html", "head", "title", "meta", "a", "img"):
                continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if _NOT_TITLE_RE.search(names):
            continue
        text = heading_text(element)
        if text and not is_label(text):
            found.append((element, text, tag in _HEADINGS or tag == "ucaptitle"))
    return found


def _parts(title: str) -> list[str]:
    return [part for part in _SEPARATOR_RE.split(title) if part and part.strip()]


def _names(site_name: str | None, column: str | None, crumbs: Sequence[str]) -> set[str]:
    names = {compact(item) for item in crumbs if item}
    for name in (site_name, column):
        if name:
            names.add(compact(name))
            names.update(compact(part) for part in _parts(name))
    return {name for name in names if name}


def title_parts(
    title: str | None, site_name: str | None, column: str | None, crumbs: Sequence[str]
) -> list[str]:
    """The parts of ``<title>`` that name neither the site nor the column."""
    if not title:
        return []
    names = _names(site_name, column, crumbs)
    kept = []
    for part in _parts(title):
        squeezed = compact(part)
        if squeezed in names or looks_like_site(part) or len(squeezed) < 2:
            continue
        kept.append(part.strip())
    return kept


def main_heading(
    root: etree._Element,
    page_title: str | None,
    known: str | None,
    site_name: str | None,
    column: str | None,
    before: etree._Element | None = None,
    exclude: Collection[etree._Element] = (),
    elements: Iterable[etree._Element] | None = None,
    order: dict[etree._Element, int] | None = None,
) -> tuple[etree._Element | None, str | None]:
    """``(element, text)`` of the article's heading (see the module's doc); ``elements``: the
    candidates (``scan.Scan.headings``), else every element."""
    found = [(el, t, real) for el, t, real in _candidates(root, elements) if el not in exclude]
    names = _names(site_name, column, ())
    found = [(el, t, real) for el, t, real in found if compact(t) not in names and not looks_like_site(t)]
    if not found:
        return None, None
    if known:
        want = compact(known)
        for element, text, _real in found:
            if compact(text) == want:
                return element, text
    if page_title:
        whole = compact(page_title)
        inside = [(el, t) for el, t, _real in found if compact(t) in whole and len(compact(t)) >= _MIN_TITLE]
        if inside:
            return max(inside, key=lambda pair: len(compact(pair[1])))
    if known:
        return None, None
    headings = [(el, t) for el, t, real in found if real]
    classed = [(el, t) for el, t, real in found if not real]
    if before is not None:
        order = order if order is not None else {el: n for n, el in enumerate(root.iter())}
        limit = order.get(before)
        if limit is not None:
            for pool in (headings, classed):  # a real heading first, else an element classed as title
                earlier = [(el, t) for el, t in pool if order.get(el, 0) < limit]
                if earlier:
                    return earlier[-1]
    for element, text in headings:
        if element.tag == "h1":
            return element, text
    return None, None


def from_page_title(
    page_title: str | None,
    site_name: str | None,
    column: str | None,
    crumbs: Sequence[str],
    heading: str | None,
) -> str | None:
    parts = title_parts(page_title, site_name, column, crumbs)
    if not parts:
        return None
    if heading:
        want = compact(heading)
        for part in parts:
            if compact(part) == want:
                return part
    if len(parts) == 1:
        return parts[0]
    whole = compact(page_title or "")
    # a title that itself holds a separator ("A——B") comes back whole when the rest is site/column
    return max(parts, key=lambda part: len(compact(part))) if whole else None
