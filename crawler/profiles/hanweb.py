"""Hanweb (大汉 jcms) columns: records in ``<datastore>`` (or a JS ``InitData`` array) and the jpage
``dataproxy.jsp`` pager. Where the records are kept: :mod:`crawler.profiles.hanwebdata`.

Two pagers, read from the page rather than assumed:

* **POST, by record range** (older sites): the jpage call ``$('#UNIT').jpage({totalRecord, perPage,
  groupSize, proxyUrl, ajaxParam})``; ``ajaxParam`` (an object literal, nested in the call or named:
  ``var param_UNIT = {…}``) is the POST form: ``col, appid, webid, path, columnid,
  sourceContentType, unitid, webname, permissiontype`` and whatever else the page gives. Each request
  asks for one group, ``?startrecord=S&endrecord=E&perpage=P`` (``perPage × groupSize`` records),
  starting after the records the column page itself shows, until ``totalRecord``.
* **GET, by page** (newer sites): ``/module/web/jpage/dataproxy.jsp?page=N&…`` from the
  ``<nextgroup>`` template (or the jpage call's ``ajaxParam`` when its ``proxyUrl`` is the
  ``/web/jpage/`` one). Each reply names the next page in its own ``<nextgroup>``; a reply without
  one is followed to ``page+1`` while ``<totalpage>`` (or ``<totalrecord>`` ÷ page size) says there
  is more.

**What ``page=N`` means.** ``page=N`` is the N-th block of ``perPage`` records counted from the top
of the column: records ``(N−1)·perPage+1 … N·perPage``, block 1 being the newest. A column page that
shows one page (15 records, perPage 15) shows block 1, so paging continues at ``page=2``; one that
shows a whole group (45 records: perPage 15 × groupSize 3) shows blocks 1–3 and paging continues at
``page=4``. In general the first page asked for is ``shown // perPage + 1`` (perPage from the jpage
call or the template's ``perpage``; without either, the column page is taken to show block 1).
A reply whose first record is the previous reply's first (a site ignoring ``page``) ends paging.

The column page prefers the POST form when its jpage call has a (non-``/web/jpage/``) ``proxyUrl``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.profiles.base import ListPage, PageRequest, Profile, register
from crawler.profiles.common import blocked_reason, decode
from crawler.profiles.hanwebdata import (
    Jpage,
    Records,
    column_records,
    datastore_records,
    jpage_call,
    nextgroup_url,
    tag_int,
)

_FORM_DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([("page", str(page)), *query], safe="/")))


def _query_int(url: str, key: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get(key)
    return int(value) if value and value.isdigit() else None


def _post_form(jpage: Jpage, text: str, url: str) -> dict[str, str]:
    """The POST form: the call's ``ajaxParam``, with Hanweb's defaults and ids found on the page."""
    form = dict(jpage.form)
    for key, value in _FORM_DEFAULTS.items():
        form.setdefault(key, value)
    searches = {
        "unitid": [(r"unitid\s*=\s*['\"]?(\d+)", text)],
        "columnid": [(r"/col/col(\d+)/", url), (r"columnid=(\d+)", text)],
        "webid": [(r"webid\s*=\s*['\"]?(\d+)", text)],
    }
    for key, places in searches.items():
        for pattern, where in places:
            found = re.search(pattern, where) if key not in form else None
            if found:
                form[key] = found.group(1)
    if "unitid" not in form and jpage.unit and jpage.unit.isdigit():
        form["unitid"] = jpage.unit
    return form


def _post_request(ctx: dict, page_no: int) -> PageRequest | None:
    """The next group of records, or None when ``startrecord`` is past ``totalRecord``."""
    start, total = ctx["start"], ctx.get("total")
    if total is not None and start > total:
        return None
    end = start + ctx["perpage"] * ctx["group"] - 1
    if total is not None:
        end = min(end, total)
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": ctx["perpage"]})
    context = {**ctx, "mode": "post", "page_no": page_no, "start": start, "end": end}
    url = f"{ctx['proxy']}{'&' if '?' in ctx['proxy'] else '?'}{query}"
    return PageRequest(url=url, method="POST", formdata=dict(ctx["form"]), page_no=page_no, context=context)


def _post_pages(ctx: dict) -> int | None:
    """Requests the whole column takes in the POST form: the column page + one per group."""
    total, first = ctx.get("total"), ctx.get("first")
    if total is None or first is None:
        return None
    return 1 + max(0, math.ceil((total - first) / (ctx["perpage"] * ctx["group"])))


def _get_request(url: str, page: int, page_no: int, ctx: dict, first_url: str | None) -> PageRequest | None:
    seen = [*ctx.get("seen", [])]
    if url in seen:
        return None
    context = {**ctx, "mode": "get", "page_no": page_no + 1, "page": page, "seen": [*seen, url][-50:]}
    if first_url:
        context["last_first"] = first_url
    return PageRequest(url=url, page_no=page_no + 1, context=context)


@register("hanweb")
class HanwebProfile(Profile):
    items_per_page = 15

    def parse_list(
        self, body: bytes, url: str, headers: Mapping | None = None, context: dict | None = None
    ) -> ListPage:
        ctx = dict(context or {})
        ctx.setdefault("column_url", url)
        page_no = int(ctx.get("page_no", 1))
        text = decode(body, headers)
        mode = ctx.get("mode")
        jpage = jpage_call(text, url) if mode is None else None
        records = column_records(text, url, jpage) if mode is None else datastore_records(text, url)
        if not records.found and not records.items:
            reason = blocked_reason(text) or ("empty_body" if not text.strip() else "no_datastore")
            return ListPage(items=[], next=None, ok=False, reason=reason, page_no=page_no)
        if mode == "post":
            return self._post_reply(records, page_no, ctx)
        if mode == "get":
            return self._get_reply(records, url, page_no, ctx)
        return self._column_page(records, jpage, text, url, page_no, ctx)

    # ------------------------------------------------------------------ the column page
    def _column_page(
        self, records: Records, jpage: Jpage | None, text: str, url: str, page_no: int, ctx: dict
    ) -> ListPage:
        items, count = records.items, records.count
        total = tag_int(records.block, "totalrecord")
        template = nextgroup_url(records.block, url)
        get_proxy = jpage is not None and jpage.proxy is not None and "/web/jpage/" in jpage.proxy
        if jpage is not None and jpage.proxy and not get_proxy:
            total = jpage.total if jpage.total is not None else total
            follow = {
                **ctx,
                "proxy": jpage.proxy,
                "total": total,
                "perpage": jpage.perpage or 15,
                "group": jpage.group or 3,
                "form": _post_form(jpage, text, url),
                "first": count,
                "start": count + 1,
            }
            nxt = _post_request(follow, page_no + 1) if items else None
            return ListPage(items, nxt, page_no=page_no, total_pages=_post_pages(follow), total_records=total)

        if template is None and get_proxy and jpage is not None and jpage.proxy:
            form = _post_form(jpage, text, url)
            template = f"{jpage.proxy}?{urlencode({'page': 1, **form}, safe='/')}"
        if jpage is not None and jpage.total is not None:
            total = jpage.total
        perpage = (jpage.perpage if jpage else None) or (
            _query_int(template, "perpage") if template else None
        )
        perpage = perpage or count
        pages = tag_int(records.block, "totalpage")
        if pages is None and total is not None and perpage:
            pages = math.ceil(total / perpage)
        nxt = None
        if template and items and perpage and not (total is not None and count >= total):
            first_page = count // perpage + 1
            if pages is None or first_page <= pages:
                ctx = {**ctx, "perpage": perpage, "pages": pages, "total": total, "first_page": first_page}
                nxt = _get_request(_with_page(template, first_page), first_page, page_no, ctx, None)
        total_pages = max(1, 1 + pages - count // perpage) if pages is not None and perpage else None
        return ListPage(items, nxt, page_no=page_no, total_pages=total_pages, total_records=total)

    # ------------------------------------------------------------------ dataproxy replies
    def _post_reply(self, records: Records, page_no: int, ctx: dict) -> ListPage:
        total = tag_int(records.block, "totalrecord")
        total = total if total is not None else ctx.get("total")
        requested = ctx["end"] - ctx["start"] + 1
        follow = {**ctx, "total": total, "start": ctx["end"] + 1}
        nxt = _post_request(follow, page_no + 1) if records.count >= requested else None
        return ListPage(
            records.items, nxt, page_no=page_no, total_pages=_post_pages(follow), total_records=total
        )

    def _get_reply(self, records: Records, url: str, page_no: int, ctx: dict) -> ListPage:
        items, block = records.items, records.block
        page = _query_int(url, "page") or int(ctx.get("page") or page_no)
        total = tag_int(block, "totalrecord")
        total = total if total is not None else ctx.get("total")
        pages = tag_int(block, "totalpage")
        pages = pages if pages is not None else ctx.get("pages")
        perpage = ctx.get("perpage") or records.count
        if pages is None and total is not None and perpage:
            pages = math.ceil(total / perpage)
        first_url = items[0].url if items else None
        repeated = first_url is not None and first_url == ctx.get("last_first")
        follow = {**ctx, "total": total, "pages": pages, "seen": [*ctx.get("seen", []), url]}
        nxt = None
        if items and not repeated:
            named = nextgroup_url(block, url)
            if named is not None:  # the reply names the next page; naming this one or an earlier ends
                named_page = _query_int(named, "page") or 0
                if named_page > page and (pages is None or named_page <= pages):
                    nxt = _get_request(named, named_page, page_no, follow, first_url)
            elif pages is not None and page < pages:  # no <nextgroup>: count on to <totalpage>
                nxt = _get_request(_with_page(url, page + 1), page + 1, page_no, follow, first_url)
        return ListPage(items, nxt, page_no=page_no, total_pages=pages, total_records=total)
