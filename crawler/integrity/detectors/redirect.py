"""``redirect``: pages that send visitors elsewhere.

critical — script that tests ``document.referrer`` for a search engine (baidu, sogou, so.com, sm.cn …)
and then moves the page (location, window.open, document.write of a script, an element's src); an
unconditional (top-level) ``location = / location.replace() / location.assign()`` to an off-site host;
a meta refresh to an off-site host; ``onload`` handlers doing the same.
warning — such a redirect inside a function (usually a click handler); a ``window.open`` to an
off-site host in code that runs when the page loads (a pop-up); packed
(``eval(function(p,a,c,k,e,…``) inline script; ``document.write`` of a script from an off-site host that
is not a known statistics/inspection vendor.
A ``window.open`` inside a function — a click handler opening the site's newspaper, a search box —
is no redirect and is not flagged. Off-site rules need the site's hosts; the referrer rule does not. Plain third-party scripts
(hm.baidu.com, cnzz, 51.la, ucap, jiucuo, share widgets) are never flagged.
"""

from __future__ import annotations

import re

from crawler.integrity import hosts
from crawler.integrity.page import Page
from crawler.integrity.registry import clip, register
from crawler.model import Flag, Severity

RULE = "redirect"
_REFERRER = re.compile(r"""document\s*(?:\.\s*referrer|\[\s*["']referrer["']\s*\])""", re.I)
_ENGINES = re.compile(
    r"baidu|sogou|so\.com|sm\.cn|soso|haosou|360|google|bing|youdao|yahoo|toutiao|spider", re.I
)
_MOVES = re.compile(
    r"location|window\.open|document\.write|\.src\s*=|\.innerhtml\s*=|eval\s*\(|createelement\s*\(", re.I
)
_LITERAL_MOVE = re.compile(
    r"""(?:(?:window|top|self|parent|document)\s*\.\s*)?location(?:\s*\.\s*href)?\s*=\s*(['"])(.*?)\1"""
    r"""|location\s*\.\s*(?:replace|assign)\s*\(\s*(['"])(.*?)\3""",
    re.I,
)
_OPEN = re.compile(r"""window\s*\.\s*open\s*\(\s*(['"])(.*?)\1""", re.I)
_PACKED = re.compile(r"eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e")
_WRITE_SCRIPT = re.compile(
    r"""document\.write(?:ln)?\s*\(.*?<script[^>]*src\s*=\s*\\?["']?((?:https?:)?//[^"'\\\s>]+)""",
    re.I | re.S,
)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";\s]+)", re.I)


def _depth_at(code: str, pos: int) -> int:
    """Brace depth at ``pos`` (rough: ignores braces in strings, good enough for a severity)."""
    return max(0, code.count("{", 0, pos) - code.count("}", 0, pos))


_FUNCTION = re.compile(r"function\b[^{]*$|=>\s*$|\)\s*$", re.S)


def _in_function(code: str, pos: int) -> bool:
    """Whether ``pos`` lies inside a function body (a handler, or a function called later), not in
    code that runs when the page loads: the innermost open brace before it follows ``function(…)``,
    ``=>`` or a ``)``."""
    depth = 0
    for index in range(pos - 1, -1, -1):
        char = code[index]
        if char == "}":
            depth += 1
        elif char == "{":
            if depth == 0:
                head = code[max(0, index - 200) : index]
                if _FUNCTION.search(head):
                    return True
            else:
                depth -= 1
    return False


def _referrer_flags(page: Page, el, code: str) -> list[Flag]:
    m = _REFERRER.search(code)
    if not m or not _ENGINES.search(code) or not _MOVES.search(code, m.end()):
        return []
    start = max(0, m.start() - 60)
    return [
        Flag(
            RULE,
            "critical",
            clip("search-engine referrer redirect: " + code[start:]),
            page.location(el) + " (script)",
            certain=True,
        )
    ]


def _script_flags(page: Page, el, code: str) -> list[Flag]:
    flags = _referrer_flags(page, el, code)
    if _PACKED.search(code):
        flags.append(Flag(RULE, "warning", clip("packed script: " + code), page.location(el) + " (script)"))
    if not page.has_sites:
        return flags
    for m in _LITERAL_MOVE.finditer(code):
        url = m.group(2) if m.group(2) is not None else m.group(4)
        host = page.host(url)
        if host and page.offsite(host):
            sev: Severity = "critical" if _depth_at(code, m.start()) == 0 else "warning"
            flags.append(
                Flag(
                    RULE,
                    sev,
                    clip(f"redirect to off-site host {host}: {m.group(0)}"),
                    page.location(el) + " (script)",
                )
            )
    for m in _OPEN.finditer(code):
        if _in_function(code, m.start()):
            continue  # a pop-up opened by a click handler or a function the page calls: no redirect
        host = page.host(m.group(2))
        if host and page.offsite(host):
            flags.append(
                Flag(
                    RULE,
                    "warning",
                    clip(f"window.open to off-site host {host}: {m.group(0)}"),
                    page.location(el) + " (script)",
                )
            )
    for m in _WRITE_SCRIPT.finditer(code):
        host = page.host(m.group(1))
        if host and page.offsite(host) and not hosts.is_vendor(host):
            flags.append(
                Flag(
                    RULE,
                    "warning",
                    clip(f"script written from off-site host {host}"),
                    page.location(el) + " (script)",
                )
            )
    return flags


def _refresh_flags(page: Page) -> list[Flag]:
    flags = []
    for _el, content in page.refresh:
        m = _REFRESH_URL.search(content)
        if not m:
            continue
        host = page.host(m.group(1))
        if host and page.offsite(host):
            flags.append(
                Flag(
                    RULE,
                    "critical",
                    clip(f"meta refresh to off-site host {host}: {content}"),
                    "head meta[http-equiv=refresh]",
                )
            )
    return flags


@register(RULE)
def detect(page: Page) -> list[Flag]:
    flags: list[Flag] = []
    for el, code in page.scripts:
        flags += _script_flags(page, el, code)
    for tag in ("body", "html", "frameset"):
        for el in page.root.iter(tag):
            code = el.get("onload")
            if code:
                flags += _script_flags(page, el, code)
    if page.has_sites:
        flags += _refresh_flags(page)
    return flags
