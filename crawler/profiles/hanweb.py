"""Hanweb (大汉 jcms) columns: CDATA records in ``<datastore>`` and the jpage ``dataproxy.jsp`` pager.

Two pagers, read from the page rather than assumed:

* the older POST form: ``$('#unit').jpage({totalRecord, perPage, groupSize, proxyUrl, ajaxParam})``
  with ``var param_<unitid> = {col, appid, webid, …}``; each request fetches one GROUP of
  ``perPage × groupSize`` records (``?startrecord=16&endrecord=60&perpage=15``) until ``totalRecord``;
* the newer GET form: ``<nextgroup><a href="/module/web/jpage/dataproxy.jsp?page=N&…">``; each reply
  names the next page in its own ``<nextgroup>``.

The column page prefers the POST form when it has a jpage call with a ``proxyUrl``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from crawler.profiles.base import ListItem, ListPage, PageRequest, Profile, register
from crawler.profiles.common import blocked_reason, clean, decode, dedupe, link_item, text_of
from crawler.profiles.dates import find_date

_RECORD = re.compile(r"<record\b[^>]*>(.*?)</record>", re.IGNORECASE | re.DOTALL)
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*?)\]\]>\s*$", re.DOTALL)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>(.*?)</nextgroup>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""href\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_TAG_INT = "<{0}>\\s*(\\d+)\\s*</{0}>"
_JPAGE = re.compile(r"\.jpage\s*\(\s*\{(.*?)\}\s*\)", re.DOTALL)
_OBJ_PAIR = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
_FORM_DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
_FORM_KEYS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)


def _unwrap(raw: str) -> str:
    match = _CDATA.match(raw)
    if match:
        return match.group(1)
    from html import unescape

    return unescape(raw)


def _tag_int(text: str, tag: str) -> int | None:
    match = re.search(_TAG_INT.format(tag), text, re.IGNORECASE)
    return int(match.group(1)) if match else None


def _object(text: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _OBJ_PAIR.finditer(text)}


def _record_item(html: str, base: str) -> ListItem | None:
    node = Selector(text=f"<div>{html}</div>")
    anchors = [a for a in node.css("a[href]") if not a.attrib["href"].lower().startswith("javascript")]
    if not anchors:
        return None
    anchor = next((a for a in anchors if "/art/" in a.attrib["href"]), anchors[0])
    marked = " ".join(node.css("span ::text, b ::text, i ::text, em ::text, font ::text").getall())
    rest = text_of(node).replace(text_of(anchor), " ")
    item = link_item(anchor, base, context_text=marked if find_date(marked) else rest)
    return item


def _records(text: str, base: str) -> tuple[list[ListItem], int]:
    """The items of the page (deduplicated) and how many ``<record>`` elements it holds."""
    raws = _RECORD.findall(text)
    items = (_record_item(_unwrap(raw), base) for raw in raws)
    return dedupe(item for item in items if item is not None), len(raws)


def _nextgroup_url(text: str, base: str) -> str | None:
    match = _NEXTGROUP.search(text)
    if not match:
        return None
    inner = _unwrap(match.group(1))
    href = _HREF.search(inner)
    value = href.group(2) if href else clean(inner)
    if not value or "dataproxy" not in value.lower():
        return None
    return urljoin(base, value.replace("&amp;", "&"))


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([("page", str(page)), *query], safe="/")))


def _page_param(url: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get("page")
    return int(value) if value and value.isdigit() else None


def _jpage(text: str, url: str) -> dict | None:
    """The jpage call's settings and POST form fields, or None when the page has no such call."""
    match = _JPAGE.search(text)
    if not match:
        return None
    settings = _object(match.group(1))
    if "proxyUrl" not in settings:
        return None
    form: dict[str, str] = {}
    param_name = settings.get("ajaxParam")
    if param_name:
        declared = re.search(rf"\b{re.escape(param_name)}\s*=\s*\{{(.*?)\}}", text, re.DOTALL)
        if declared:
            form = _object(declared.group(1))
    for key, value in _FORM_DEFAULTS.items():
        form.setdefault(key, value)
    if "unitid" not in form:
        unit = re.search(r"unitid=['\"]?(\d+)", text)
        if unit:
            form["unitid"] = unit.group(1)
    if "columnid" not in form:
        column = re.search(r"/col/col(\d+)/", url) or re.search(r"columnid=(\d+)", text)
        if column:
            form["columnid"] = column.group(1)
    if "webid" not in form:
        webid = re.search(r"webid=(\d+)", text)
        if webid:
            form["webid"] = webid.group(1)

    def number(key: str) -> int | None:
        value = settings.get(key, "")
        return int(value) if value.isdigit() else None

    return {
        "proxy": urljoin(url, settings["proxyUrl"]),
        "total": number("totalRecord"),
        "perpage": number("perPage") or 15,
        "group": number("groupSize") or 3,
        "form": form,
    }


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


def _get_request(
    next_url: str | None, url: str, page_no: int, ctx: dict, template: bool
) -> PageRequest | None:
    """Follow ``<nextgroup>``. On the column page it is a template (``page=1``): ask for page 2. In a
    reply it names the next page; one naming this page or an earlier one (or a seen URL) ends paging."""
    if not next_url:
        return None
    if (_page_param(next_url) or 0) < page_no + 1:
        if not template:
            return None
        next_url = _with_page(next_url, page_no + 1)
    seen = [*ctx.get("seen", []), url]
    if next_url in seen:
        return None
    context = {**ctx, "mode": "get", "page_no": page_no + 1, "seen": [*seen, next_url]}
    return PageRequest(url=next_url, page_no=page_no + 1, context=context)


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
        items, count = _records(text, url)
        has_datastore = re.search(r"<datastore\b", text, re.IGNORECASE) is not None
        if not has_datastore and not items:
            reason = blocked_reason(text) or ("empty_body" if not text.strip() else "no_datastore")
            return ListPage(items=[], next=None, ok=False, reason=reason, page_no=page_no)

        total = _tag_int(text, "totalrecord")
        pages = _tag_int(text, "totalpage")
        mode = ctx.get("mode")
        if mode == "post":
            total = total if total is not None else ctx.get("total")
            requested = ctx["end"] - ctx["start"] + 1
            follow = {**ctx, "total": total, "start": ctx["end"] + 1}
            nxt = _post_request(follow, page_no + 1) if count >= requested else None
            return ListPage(items, nxt, page_no=page_no, total_pages=_post_pages(follow), total_records=total)
        if mode == "get":
            nxt = _get_request(_nextgroup_url(text, url), url, page_no, ctx, False) if items else None
            if nxt and pages is not None and page_no >= pages:
                nxt = None
            return ListPage(items, nxt, page_no=page_no, total_pages=pages, total_records=total)

        # the column page itself
        jpage = _jpage(text, url)
        if jpage is not None:
            total = jpage["total"] if jpage["total"] is not None else total
            follow = {**ctx, **jpage, "total": total, "first": count, "start": count + 1}
            nxt = _post_request(follow, page_no + 1) if items else None
            return ListPage(items, nxt, page_no=page_no, total_pages=_post_pages(follow), total_records=total)
        nxt = _get_request(_nextgroup_url(text, url), url, page_no, ctx, True) if items else None
        if nxt and total is not None and count >= total:
            nxt = None
        return ListPage(items, nxt, page_no=page_no, total_pages=pages, total_records=total)


def _post_pages(ctx: dict) -> int | None:
    """Requests the whole column takes in the POST form: the column page + one per group."""
    total, first = ctx.get("total"), ctx.get("first")
    if total is None or first is None:
        return None
    return 1 + max(0, math.ceil((total - first) / (ctx["perpage"] * ctx["group"])))
