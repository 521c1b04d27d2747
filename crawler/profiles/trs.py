"""TRS WCM columns: static pages ``index.html``, ``index_1.html`` … holding ``./YYYYMM/tYYYYMMDD_id.html``
items among the page's furniture.

Items are the rows of the list region (:mod:`crawler.profiles.region`): the cluster of item links
that sits with the pager — never the header's guide link, a scrolling notice bar, sidebar boxes or the
footer, though they link to pages of the same form. Rows may link into other folders, to attachments
or to other sites; they are items all the same. The page count and the current page come from the
pager (:mod:`crawler.profiles.trspager`); the list region found on the column page is looked for first
on the pages after it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from parsel import Selector

from crawler.net.urlpolicy import join
from crawler.profiles.base import ListPage, PageRequest, Profile, register
from crawler.profiles.common import blocked_reason, decode
from crawler.profiles.region import read_region
from crawler.profiles.trspager import Pager, extension, page_index, page_url, read_pager

_EMPTY_MARKERS = ("暂无信息", "暂无数据", "暂无记录", "没有记录", "无相关信息", "暂无内容")


def _root(text: str):
    return Selector(text=text or "<html></html>").root


def _files(pager: Pager, shown: int, ctx: dict) -> int | None:
    """Page files in the listing. Fujian's pageChnlInfo counts shown pages of ``prepage`` records;
    a file holding more (several shown pages at once, as its first file tells) makes fewer files."""
    if pager.form != "pageChnlInfo" or not pager.records or not pager.per_page:
        return pager.count
    per_file = int(ctx.get("per_file") or max(shown, pager.per_page))
    ctx["per_file"] = per_file
    return math.ceil(pager.records / per_file)


@register("trs")
class TrsProfile(Profile):
    items_per_page = 20

    def parse_list(
        self, body: bytes, url: str, headers: Mapping | None = None, context: dict | None = None
    ) -> ListPage:
        ctx = dict(context or {})
        ctx.setdefault("column_url", url)
        text = decode(body, headers)
        root = _root(text)
        pager = read_pager(text, root)
        targets = [pager.target] if pager is not None and pager.target else []
        region = read_region(root, url, remembered=ctx.get("region"), pager_ids=targets)
        items = [] if pager is not None and pager.empty else region.items

        current0 = pager.current0 if pager is not None else None
        if current0 is None:
            current0 = page_index(url)
        if current0 is None:
            current0 = int(ctx.get("page_no", 1)) - 1
        page_no = int(ctx.get("page_no", current0 + 1))

        if not items and (pager is None or pager.empty):
            reason = blocked_reason(text)
            if reason or not text.strip():
                return ListPage(items=[], next=None, ok=False, reason=reason or "empty_body", page_no=page_no)
            return ListPage(items=[], next=None, page_no=page_no)

        if region.signature:
            ctx["region"] = region.signature
        count = _files(pager, len(items), ctx) if pager is not None else None
        nxt, complete = None, True
        if pager is not None and items:
            nxt, complete = self._next(pager, count, url, current0, page_no, ctx, [i.url for i in items])
        return ListPage(
            items=items,
            next=nxt,
            page_no=page_no,
            total_pages=count,
            total_records=pager.records if pager else None,
            complete=complete,
        )

    @staticmethod
    def _next(
        pager: Pager,
        count: int | None,
        url: str,
        current0: int,
        page_no: int,
        ctx: dict,
        item_urls: list[str],
    ) -> tuple[PageRequest | None, bool]:
        """The next page's request, and whether the listing ends where paging ends."""
        if count is None:
            if not pager.next_href:
                return None, True
            next_url = join(url, pager.next_href)
        else:
            index = current0 + 1
            if index >= count:
                return None, True
            if pager.last_static is not None and index > pager.last_static:
                return None, False  # older pages are not files: the listing goes on beyond reach
            next_url = page_url(url, pager, index, extension(pager, url, item_urls))
        seen = [*ctx.get("seen", []), url]
        if next_url in seen:
            return None, True
        context = {**ctx, "page_no": page_no + 1, "seen": seen[-20:]}
        return PageRequest(url=next_url, page_no=page_no + 1, context=context), True
