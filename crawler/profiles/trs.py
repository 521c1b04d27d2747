"""TRS WCM columns: ``./YYYYMM/tYYYYMMDD_id.html`` items, pages ``index.html``, ``index_1.html`` ….

The page count comes from the pager script: ``createPageHTML(N, cur0, "index", "html")`` (N pages,
current 0-based), the six-argument ``createPageHTML('page_div', N, cur1, 'index', 'html', records)``,
or ``var countPage = N``. ``function createPageHTML(…)`` definitions are not calls.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin

from parsel import Selector

from crawler.profiles.base import ListPage, PageRequest, Profile, register
from crawler.profiles.common import blocked_reason, decode, dedupe, link_item, text_of

_ITEM_HREF = re.compile(r"(?:^|/)t(?:19|20)\d{6}_\d+\.s?html?(?:[?#].*)?$", re.IGNORECASE)
_CALL = re.compile(r"(?<![\w.$])(?<!function )createPageHTML\s*\(([^()]*)\)")
_COUNT = re.compile(r"\bvar\s+countPage\s*=\s*(\d+)")
_CURRENT = re.compile(r"\bvar\s+currentPage\s*=\s*(\d+)")
_PAGE_IN_URL = re.compile(r"_(\d+)\.s?html?$", re.IGNORECASE)


def _args(raw: str) -> list[str]:
    return [a.strip().strip("'\"") for a in raw.split(",")]


def _pager(text: str) -> dict | None:
    """``{count, current0, prefix, ext, records}`` from the pager script, or None."""
    for match in _CALL.finditer(text):
        args = _args(match.group(1))
        if len(args) >= 6 and not args[0].isdigit() and args[1].isdigit() and args[2].isdigit():
            records = int(args[5]) if args[5].isdigit() else None
            return {
                "count": int(args[1]),
                "current0": max(int(args[2]) - 1, 0),
                "prefix": args[3] or "index",
                "ext": args[4] or "html",
                "records": records,
            }
        if len(args) >= 4 and args[0].isdigit() and args[1].isdigit():
            return {
                "count": int(args[0]),
                "current0": int(args[1]),
                "prefix": args[2] or "index",
                "ext": args[3] or "html",
                "records": None,
            }
    count = _COUNT.search(text)
    if count:
        current = _CURRENT.search(text)
        return {
            "count": int(count.group(1)),
            "current0": int(current.group(1)) if current else None,
            "prefix": "index",
            "ext": "html",
            "records": None,
        }
    return None


def _items(text: str, url: str) -> list:
    page = Selector(text=text)
    found = []
    for anchor in page.css("a[href]"):
        if not _ITEM_HREF.search(anchor.attrib["href"].strip()):
            continue
        holder = anchor.xpath("ancestor::*[self::li or self::tr or self::dd][1]")
        context = text_of(holder[0]) if holder else " ".join(anchor.xpath("../text() | ../*/text()").getall())
        item = link_item(anchor, url, context_text=context)
        if item:
            found.append(item)
    return dedupe(found)


@register("trs")
class TrsProfile(Profile):
    items_per_page = 20

    def parse_list(
        self, body: bytes, url: str, headers: Mapping | None = None, context: dict | None = None
    ) -> ListPage:
        ctx = dict(context or {})
        ctx.setdefault("column_url", url)
        text = decode(body, headers)
        items = _items(text, url)
        pager = _pager(text)
        in_url = _PAGE_IN_URL.search(url.split("?", 1)[0])
        current0 = pager["current0"] if pager and pager["current0"] is not None else None
        if current0 is None:
            current0 = int(in_url.group(1)) if in_url else int(ctx.get("page_no", 1)) - 1
        page_no = int(ctx.get("page_no", current0 + 1))
        if not items and pager is None:
            reason = blocked_reason(text)
            if reason or not text.strip():
                return ListPage(items=[], next=None, ok=False, reason=reason or "empty_body", page_no=page_no)
            return ListPage(items=[], next=None, page_no=page_no)
        nxt = None
        if pager and current0 + 1 < pager["count"] and items:
            next_url = urljoin(url, f"{pager['prefix']}_{current0 + 1}.{pager['ext']}")
            context = {**ctx, "page_no": page_no + 1}
            nxt = PageRequest(url=next_url, page_no=page_no + 1, context=context)
        return ListPage(
            items=items,
            next=nxt,
            page_no=page_no,
            total_pages=pager["count"] if pager else None,
            total_records=pager["records"] if pager else None,
        )
