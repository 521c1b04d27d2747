"""Is this page a release? If not, what is it (WAF, error, gone, login, empty, list, unknown)?

Structure decides first: a page with a labelled disclosure block, a known body container with text,
or an ArticleTitle meta with body text is a release whatever words it contains (a release may well
mention 验证码 or 404). Only a page without that structure is matched against the markers of WAF,
login, gone and error pages — and those markers must sit in a small page, not in a long text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from .dom import text_of

_WAF_RE = re.compile(
    r"访问过于频繁|访问频率过高|请求过于频繁|验证码|安全检测|安全验证|云防护|网站防火墙|"
    r"请开启\s*JavaScript|请启用\s*JavaScript|enable\s+JavaScript|人机验证|滑动验证|"
    r"Web应用防火墙|\bwaf\b|您的访问被拦截|访问被拒绝|请求被拦截|安全狗|创宇盾|加速乐|知道创宇|"
    r"访问验证|请完成验证|滑块验证|拼图验证|拖动滑块|"
    r"Access Denied|请稍后再试.*访问",
    re.I,
)
_GONE_RE = re.compile(
    r"页面不存在|页面已删除|信息已删除|文章已删除|已被删除|不存在或已删除|您访问的页面不存在|"
    r"页面找不到|找不到页面|页面未找到|无法找到该页|内容已撤回|信息已撤销|已下线|(?<!\d)404(?!\d)|Not Found",
    re.I,
)
_ERROR_RE = re.compile(
    r"系统错误|服务器错误|系统繁忙|服务器繁忙|服务暂不可用|内部错误|出错了|发生错误|"
    r"(?<!\d)50[0234](?!\d)|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out",
    re.I,
)
_LOGIN_RE = re.compile(r"用户登录|登录|登陆|sign\s*in|log\s*in", re.I)
_DATED_RE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_HANWEB_RECORDS_RE = re.compile(r"<record>\s*<!\[CDATA\[", re.I)
#: a page whose visible text is longer than this is not a WAF/error/gone stub
SMALL_PAGE = 1500
MIN_LIST_ITEMS = 8
#: a body shorter than this that reads as a stub message is that stub, not a release
STUB_BODY = 60
#: fewer visible characters than this: an empty page
EMPTY_TEXT = 5


@dataclass
class Signals:
    has_block: bool  # a labelled disclosure block with at least one value
    known_body: bool  # a known body container (Hanweb markers, #zoom, TRS_Editor …) with text
    article_meta: bool  # an ArticleTitle meta tag
    body_chars: int  # characters of body paragraphs
    page_text: Callable[[], str]  # the visible text of the whole page, computed only when needed
    has_password: bool  # an <input type=password>
    dated_links: int  # links sitting next to a date, as list pages show them
    raw_records: int  # Hanweb list records hidden in <script type="text/xml">
    body_text: str = ""  # the body's paragraphs, joined
    attachments: int = 0  # file links of the body or its attachment block
    images: int = 0  # pictures in a known body container (an article published as an image)


def signals_from(root: etree._Element | None, raw: str) -> tuple[bool, int]:
    """``(has_password, hanweb_records)`` from the tree and the raw text."""
    has_password = False
    if root is not None:
        for element in root.iter("input"):
            if (element.get("type") or "").lower() == "password":
                has_password = True
                break
    return has_password, len(_HANWEB_RECORDS_RE.findall(raw, 0, 2_000_000))


def count_dated_links(root: etree._Element) -> int:
    """Links whose list item or row also shows a date — the shape of a column list page."""
    count = 0
    for anchor in root.iter("a"):
        text = text_of(anchor).strip()
        if len(text) < 4:
            continue
        parent = anchor.getparent()
        if parent is None:
            continue
        around = text_of(parent)
        if len(around) <= 300 and _DATED_RE.search(around):
            count += 1
    return count


def _stub_reason(text: str, has_password: bool) -> str | None:
    """The reason a short text reads as a WAF, login, gone or error stub, else None."""
    if has_password and _LOGIN_RE.search(text):
        return "login"
    if _WAF_RE.search(text):
        return "waf"
    if _GONE_RE.search(text):
        return "gone"
    if _ERROR_RE.search(text):
        return "error_page"
    return None


def classify(s: Signals) -> str | None:
    """None for a release, else the ``not_release_reason``."""
    if s.has_block:
        return None
    if 0 < s.body_chars < STUB_BODY and not s.attachments:
        # a template with a body that only says "信息已删除" / "访问过于频繁"
        reason = _stub_reason(s.body_text, s.has_password)
        if reason:
            return reason
    has_content = s.body_chars > 0 or s.attachments > 0 or (s.known_body and s.images > 0)
    if has_content and (s.known_body or s.article_meta):
        return None
    text = s.page_text()
    if len(text) <= SMALL_PAGE or s.body_chars < 100:
        reason = _stub_reason(text, s.has_password)
        if reason:
            return reason
    if s.raw_records >= 3 or (s.dated_links >= MIN_LIST_ITEMS and s.body_chars < 300):
        return "list_page"
    if s.body_chars >= 100:
        return None
    if len(text.strip()) < EMPTY_TEXT:
        return "empty"
    return "unknown"
