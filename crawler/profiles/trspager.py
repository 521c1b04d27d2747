"""How many pages a TRS column has, and which one this is, from what the page says.

TRS publishes a column as files ``index.<ext>``, ``index_1.<ext>``, ``index_2.<ext>`` … (page n is
``index_{n-1}``). The count comes from, in this order:

* ``createPageHTML(N, cur0, "index", "html")`` (current page 0-based), the six-argument
  ``createPageHTML('page_div', N, cur1, 'index', 'shtml', records)`` (1-based), arguments given as
  numbers or as variables declared on the page (``createPageHTML(countPage, currentPage, …)``);
  ``function createPageHTML(…)`` definitions are not calls;
* ``new Pager({size: N, current: cur0, prefix: 'index', suffix: 'html'})``;
* Fujian's template: ``var pageChnlInfo = {recordCount, prepage, maxStaticIndex}`` (or the same keys
  passed to ``listModel({...})``): ``ceil(recordCount / prepage)`` pages of which only
  ``index … index_{maxStaticIndex}`` are files; the site shows older pages through a search service
  that is not a column page, so paging stops at ``maxStaticIndex`` and the listing is marked
  incomplete when the column has more;
* ``var countPage = N`` (or ``pageCount`` / ``totalPage``; with ``var currentPage = cur0`` when present);
* pager links in the HTML: ``index_N`` hrefs, a 下一页 link.

The current page, when the pager does not say, comes from the URL (``index_3.html`` is page 4).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawler.net.urlpolicy import join
from crawler.profiles.jsobj import as_int, assigned, call_argument

_CALL = re.compile(r"(?<![\w.$])(?<!function )createPageHTML\s*\(([^()]*)\)")
_COUNT = re.compile(r"(?<![\w.$])(?:countPage|pageCount|totalPage)\s*=\s*(\d+)")
_CURRENT = re.compile(r"(?<![\w.$])currentPage\s*=\s*(\d+)")
_INDEX_FILE = re.compile(r"(?:^|/)(index)(?:_(\d+))?\.(s?html?)$", re.IGNORECASE)
_NEXT_WORDS = ("下一页", "下页", "后页")


@dataclass
class Pager:
    count: int | None = None  # pages in the listing (index, index_1, …)
    current0: int | None = None  # this page, 0-based, when the pager says
    prefix: str = "index"
    ext: str | None = None
    records: int | None = None
    last_static: int | None = None  # the highest index_N published as a file (Fujian)
    per_page: int | None = None
    next_href: str | None = None  # a 下一页 link in the HTML
    target: str | None = None  # the id of the element the pager script fills
    form: str = ""

    @property
    def empty(self) -> bool:
        """The pager says the column has nothing (0 pages or 0 records)."""
        return self.count == 0 or self.records == 0


def _args(raw: str) -> list[str]:
    return [a.strip().strip("'\"") for a in raw.split(",")]


def _number(arg: str, text: str) -> int | None:
    if arg.isdigit():
        return int(arg)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
        declared = re.search(rf"(?<![\w.$]){re.escape(arg)}\s*=\s*['\"]?(\d+)", text)
        if declared:
            return int(declared.group(1))
    return None


def _create_page_html(text: str) -> Pager | None:
    for match in _CALL.finditer(text):
        args = _args(match.group(1))
        if len(args) >= 5 and _number(args[0], text) is None:
            count, current1 = _number(args[1], text), _number(args[2], text)
            if count is None:
                continue
            records = _number(args[5], text) if len(args) >= 6 else None
            return Pager(
                count=count,
                current0=max(current1 - 1, 0) if current1 is not None else None,
                prefix=args[3] or "index",
                ext=args[4] or None,
                records=records,
                target=args[0] or None,
                form="createPageHTML/6",
            )
        if len(args) >= 4:
            count, current0 = _number(args[0], text), _number(args[1], text)
            if count is None:
                continue
            records = _number(args[4], text) if len(args) >= 5 else None
            return Pager(
                count=count,
                current0=current0,
                prefix=args[2] or "index",
                ext=args[3] or None,
                records=records,
                form="createPageHTML/4",
            )
    return None


def _pager_object(text: str) -> Pager | None:
    found = call_argument(text, "Pager")
    if found is None:
        return None
    obj = found[0]
    count = as_int(obj.get("size"))
    if count is None:
        return None
    return Pager(
        count=count,
        current0=as_int(obj.get("current")),
        prefix=str(obj.get("prefix") or "index"),
        ext=str(obj.get("suffix") or "") or None,
        form="Pager",
    )


def _find_key(obj: Any, key: str) -> Any:
    """``obj[key]``, looked for in nested objects too (``listModel({pagebar: {prepage: 10}})``)."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for value in obj.values():
            found = _find_key(value, key)
            if found is not None:
                return found
    return None


def _fujian(text: str) -> Pager | None:
    if "recordCount" not in text or "maxStaticIndex" not in text:
        return None
    obj: Any = assigned(text, "pageChnlInfo")
    if not isinstance(obj, dict) or _find_key(obj, "recordCount") is None:
        called = call_argument(text, "listModel")
        obj = called[0] if called else None
    if not isinstance(obj, dict):
        return None
    records = as_int(_find_key(obj, "recordCount"))
    per_page = as_int(_find_key(obj, "prepage"))
    last_static = as_int(_find_key(obj, "maxStaticIndex"))
    if records is None or not per_page:
        return None
    return Pager(
        count=math.ceil(records / per_page),
        records=records,
        per_page=per_page,
        last_static=last_static,
        form="pageChnlInfo",
    )


def _count_page(text: str) -> Pager | None:
    count = _COUNT.search(text)
    if not count:
        return None
    current = _CURRENT.search(text)
    return Pager(
        count=int(count.group(1)),
        current0=int(current.group(1)) if current else None,
        form="countPage",
    )


def _links(root: etree._Element) -> Pager | None:
    indexes: list[int] = []
    next_href = None
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        match = _INDEX_FILE.search(urlsplit(href).path)
        if not match:
            continue
        indexes.append(int(match.group(2) or 0))
        text = "".join(anchor.itertext()).strip()
        if next_href is None and any(word in text for word in _NEXT_WORDS):
            next_href = href
    if not indexes:
        return None
    return Pager(count=max(indexes) + 1, next_href=next_href, form="links")


def read_pager(text: str, root: etree._Element) -> Pager | None:
    for reader in (_create_page_html, _pager_object, _fujian, _count_page):
        pager = reader(text)
        if pager is not None:
            return pager
    return _links(root)


def page_index(url: str) -> int | None:
    """``…/index_3.html`` → 3, ``…/index.html`` → 0, anything else → None."""
    match = _INDEX_FILE.search(urlsplit(url).path)
    if not match:
        return None
    return int(match.group(2) or 0)


def extension(pager: Pager, url: str, item_urls: list[str]) -> str:
    """The page files' extension: the pager's, this page's, else the items' own (``.htm`` on Fujian
    sites), else ``html``."""
    if pager.ext:
        return pager.ext
    match = _INDEX_FILE.search(urlsplit(url).path)
    if match:
        return match.group(3)
    exts = Counter(urlsplit(u).path.rsplit(".", 1)[-1].lower() for u in item_urls if "." in urlsplit(u).path)
    for ext, _ in exts.most_common():
        if ext in ("htm", "html", "shtml"):
            return ext
    return "html"


def page_url(url: str, pager: Pager, index: int, ext: str) -> str:
    """The URL of page file ``index`` (0 = ``index.<ext>``) of the column ``url`` belongs to."""
    name = f"{pager.prefix}.{ext}" if index == 0 else f"{pager.prefix}_{index}.{ext}"
    return join(url, name)
