"""Helpers shared by the profiles: decoding, link extraction, blocked-page detection."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from lxml import etree
from parsel import Selector
from parsel.csstranslator import css2xpath

from crawler.net.urlpolicy import join
from crawler.normalize.decode import decode_html
from crawler.profiles.base import ListItem
from crawler.profiles.dates import date_from_url, find_date

#: reason → markers of a page that stands in for a list: a WAF, a login or a captcha wall
_BLOCKED = {
    "waf": (
        "访问过于频繁",
        "访问频率过高",
        "请求过于频繁",
        "您的访问被拦截",
        "访问被拒绝",
        "已被拦截",
        "安全狗",
        "网站防火墙",
        "云防护",
        "web应用防火墙",
        "access denied",
        "request blocked",
        "too many requests",
    ),
    "captcha": ("验证码", "滑动验证", "人机验证", "captcha"),
    "login": ("请输入密码", "请先登录", "请登录", "用户登录", "统一身份认证"),
}
_SPACE = re.compile(r"\s+")
_SKIP_HREF = re.compile(r"^\s*(?:javascript:|mailto:|tel:|#)", re.IGNORECASE)


def decode(body: bytes, headers: Mapping | None) -> str:
    return decode_html(body or b"", headers)[0]


def blocked_reason(text: str) -> str | None:
    """``waf`` / ``captcha`` / ``login`` when the page looks like one of those, else None."""
    lowered = text.lower()
    for reason, markers in _BLOCKED.items():
        if any(marker in lowered for marker in markers):
            return reason
    return None


def clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = _SPACE.sub(" ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()
    return text or None


def absolute(href: str | None, base: str) -> str | None:
    """The absolute URL of a link, None for script/mail/fragment links. Never raises: an href that
    cannot be resolved comes back as written, for the crawl's URL policy to refuse by name."""
    if not href or _SKIP_HREF.match(href):
        return None
    return join(base, href)


def link_item(
    anchor: Selector | etree._Element, base: str, context_text: str | None = None
) -> ListItem | None:
    """A ListItem from an ``<a>``: title from @title or the text, date from the text around it."""
    element = anchor.root if isinstance(anchor, Selector) else anchor
    url = absolute(element.get("href"), base)
    if not url:
        return None
    title = clean(element.get("title")) or clean(" ".join(texts(element)))
    date = find_date(context_text) or date_from_url(url)
    return ListItem(url=url, title=title, date=date)


def dedupe(items: Iterable[ListItem]) -> list[ListItem]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.url not in seen:
            seen.add(item.url)
            out.append(item)
    return out


#: parsel's ``::text`` as one compiled XPath: the text nodes under an element, in document order
_TEXTS = etree.XPath(css2xpath("::text"))


def texts(element: etree._Element) -> list[str]:
    """``Selector(root=element).css("::text").getall()``, without a Selector per text node."""
    return [str(t) for t in _TEXTS(element)]


def text_of(node: Selector | etree._Element) -> str:
    return " ".join(texts(node.root if isinstance(node, Selector) else node))
