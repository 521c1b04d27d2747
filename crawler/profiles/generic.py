"""Any CMS, driven by the site's ``generic`` settings: ``item_links`` (CSS, or XPath starting with
``/`` or ``(``) and ``next_page`` (a selector for the next-page link, or a URL pattern with ``{n}``
resolved against the column URL: n = 1, 2, … for the 2nd, 3rd … page; paging stops at an empty page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from parsel import Selector, SelectorList
from pydantic import AfterValidator

from crawler import options as opt
from crawler.profiles.base import ListPage, PageRequest, Profile, register
from crawler.profiles.common import absolute, blocked_reason, decode, dedupe, link_item, text_of


def _pattern_or_selector(value: str) -> str:
    """A URL pattern with ``{n}`` is taken as written; anything else must be a selector."""
    return value if "{n}" in value else opt.check_selector(value)


NextPage = Annotated[opt.Text, AfterValidator(_pattern_or_selector)]


class GenericOptions(opt.Options):
    """``generic: {item_links, next_page}`` of a site with ``profile: generic``."""

    #: the list's item links: CSS, or XPath starting with ``/`` or ``(``
    item_links: opt.Selector
    #: the next-page link (a selector), or a URL pattern with ``{n}`` (``index_{n}.html``)
    next_page: NextPage | None = None


def select(page: Selector, expression: str) -> SelectorList:
    if expression.lstrip().startswith(("/", "(")):
        return page.xpath(expression)
    return page.css(expression)


def _anchor(node: Selector) -> Selector | None:
    if node.root is None or not hasattr(node.root, "tag"):
        return None
    if node.root.tag == "a" and node.attrib.get("href"):
        return node
    found = node.css("a[href]")
    return found[0] if found else None


def _near_text(anchor: Selector, node: Selector) -> str:
    holder = anchor.xpath("ancestor-or-self::*[self::li or self::tr or self::dd][1]")
    if holder:
        return text_of(holder[0])
    if node.root is not anchor.root:
        return text_of(node)
    parent = anchor.xpath("..")
    if parent and len(parent[0].css("a[href]")) == 1:
        return text_of(parent[0])
    return ""


@register("generic")
class GenericProfile(Profile):
    items_per_page = 20

    options_model = GenericOptions
    options_required = True

    def __init__(self, options: opt.Options | None = None) -> None:
        super().__init__(options)
        if not isinstance(options, GenericOptions):
            raise ValueError("the generic profile needs the site's `generic: {item_links, next_page}`")
        self.item_links: str = options.item_links
        self.next_page: str | None = options.next_page

    def parse_list(
        self, body: bytes, url: str, headers: Mapping | None = None, context: dict | None = None
    ) -> ListPage:
        ctx = dict(context or {})
        column_url = ctx.setdefault("column_url", url)
        page_no = int(ctx.get("page_no", 1))
        text = decode(body, headers)
        page = Selector(text=text)
        items = []
        for node in select(page, self.item_links):
            anchor = _anchor(node)
            if anchor is not None:
                item = link_item(anchor, url, context_text=_near_text(anchor, node))
                if item:
                    items.append(item)
        items = dedupe(items)
        if not items:
            reason = blocked_reason(text) or (None if text.strip() else "empty_body")
            if reason:
                return ListPage(items=[], next=None, ok=False, reason=reason, page_no=page_no)
            return ListPage(items=[], next=None, page_no=page_no)
        return ListPage(items=items, next=self._next(page, url, column_url, page_no, ctx), page_no=page_no)

    def _next(self, page: Selector, url: str, column_url: str, page_no: int, ctx: dict) -> PageRequest | None:
        if not self.next_page:
            return None
        if "{n}" in self.next_page:
            next_url = absolute(self.next_page.replace("{n}", str(page_no)), column_url)
        else:
            found = select(page, self.next_page)
            anchor = _anchor(found[0]) if found else None
            next_url = absolute(anchor.attrib.get("href"), url) if anchor is not None else None
        seen = list(ctx.get("seen", [column_url]))
        if not next_url or next_url == url or next_url in seen:
            return None
        context = {**ctx, "page_no": page_no + 1, "seen": [*seen, next_url]}
        return PageRequest(url=next_url, page_no=page_no + 1, context=context)
