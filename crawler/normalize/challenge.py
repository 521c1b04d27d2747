"""Verification pages served in a release's own template: slider and puzzle captchas, "安全验证",
"人机验证", "访问验证", "请完成验证". A WAF often answers 200 with the site's article template around
its challenge, so the page has release structure (a body container, sometimes the disclosure labels)
and would read as a new version titled 安全验证 with its 索引号 gone — a false ``changed``, and
another when the real page returns. Such a page is ``not_release`` (``waf``).

A real release that merely mentions 验证 (验证码诈骗, 身份验证, 安全验证工作) stays a release: the
rules look for the challenge's own interface text, a title that is nothing but a challenge, or a body
that is nothing but a request to verify before visiting — each in a short body only.
"""

from __future__ import annotations

import re

#: a body longer than this is an article, whatever it mentions
SHORT_BODY = 300
#: a body shorter than this, without a 索引号, that asks the visitor to verify, is a challenge
TINY_BODY = 80

# the challenge's own interface: drag the slider, fit the puzzle piece, click the characters in order
_WIDGET = re.compile(
    r"滑块|拼图|向右滑动|向右拖动|拖动.{0,6}(?:完成|验证|滑)|按住.{0,6}滑|请依次点击|点击.{0,8}(?:完成|进行)验证"
)
_VERIFY = re.compile(r"验证")
_CHALLENGE = re.compile(
    r"安全验证|人机验证|访问验证|请完成验证|完成验证后|滑动验证|智能验证|身份核验|验证后继续"
)
_VISIT = re.compile(r"访问|浏览|继续|页面|网站|本站")
# a title that is only a challenge (not "关于开展安全验证工作的通知")
_TITLE = re.compile(
    r"^\s*(?:安全验证|人机验证|访问验证|滑动验证|滑块验证|验证|身份验证|安全检测|请完成验证|访问受限|验证码)\s*$"
)


def challenge_reason(title: str | None, body: str, has_index_no: bool) -> str | None:
    """``"waf"`` when a page with release structure is a verification challenge, else None."""
    text = re.sub(r"\s+", "", body)
    if len(text) > SHORT_BODY:
        return None
    if _TITLE.match(title or ""):
        return "waf"
    if _WIDGET.search(text) and _VERIFY.search(text + (title or "")):
        return "waf"
    if not has_index_no and len(text) < TINY_BODY and _CHALLENGE.search(text) and _VISIT.search(text):
        return "waf"
    return None
