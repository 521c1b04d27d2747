"""Find the release body and turn it into paragraphs, links and attachments.

Known containers first — Hanweb's ``ContentStart``/``ContentEnd`` markers, ``#zoom``, TRS's
``.TRS_Editor``, a few other common ones — then the densest block of text for unknown templates.
Tools (print/close, font size, share), visit counters, related-article lists and breadcrumbs inside
the body are dropped; the text itself is kept as published.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from .dom import Index, classes, drop, set_text, text_of
from .text import collapse, drop_zero_width, fold

#: (ids, class tokens, source name) tried in order after the Hanweb markers (lower-cased)
_KNOWN = (
    (("zoom",), (), "zoom"),
    ((), ("trs_editor", "trs_ueditor"), "trs"),
    (
        ("ucap-content", "wenzhang-content", "fontzoom", "content_zoom"),
        ("pages_content", "article-content", "news_content", "detail-content", "art_con"),
        "known",
    ),
)
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "td",
        "th",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "blockquote",
        "pre",
        "dl",
        "dt",
        "dd",
        "center",
        "form",
        "header",
        "footer",
        "nav",
        "aside",
        "figure",
        "figcaption",
        "hr",
        "address",
        "caption",
        "tbody",
        "thead",
    ]
)
_JUNK_TOKENS = frozenset(
    [
        "share",
        "bdshare",
        "bdsharebuttonbox",
        "fenxiang",
        "print",
        "dayin",
        "close",
        "guanbi",
        "related",
        "relevant",
        "xgwz",
        "xgxx",
        "xglj",
        "xgwj",
        "xgyd",
        "crumb",
        "breadcrumb",
        "position",
        "footer",
        "fontsize",
        "zihao",
        "visit",
        "visits",
        "counter",
        "liulan",
        "pagebar",
        "prevnext",
        "sxp",
        "sxpian",
    ]
)
_TOKEN_SPLIT_RE = re.compile(r"[\s_\-]+")
_RELATED_RE = re.compile(
    r"^\s*(相关(文章|阅读|链接|新闻|稿件|文件|信息|政策|解读)|延伸阅读|推荐阅读)\s*[:：]?\s*$"
)
_BLOCK_SET = frozenset(BLOCK_TAGS)
BREAK = "\ufdd0"  # a block boundary: a Unicode noncharacter, removed from input by dom.parse
#: where a related-articles heading sits (not ``p``: reading every paragraph's text costs; a bare
#: "相关文章" line is dropped as a tool line instead)
_SENTENCE_RE = re.compile("[，。；！？,;]")
_HEADING_TAGS = frozenset(("h2", "h3", "h4", "h5", "div", "span", "strong", "b"))
_RELATED_STARTS = ("相关", "延伸", "推荐")
_MAX_TOOL_LINE = 80
#: a line made only of page tools is boilerplate
_TOOL_RE = re.compile(
    r"[【\[]\s*(?:打印|关闭|返回|收藏|保存|分享|加入收藏)[^】\]]{0,6}[】\]]"
    r"|字\s*[体號号][:：]?\s*[\[【(（]?\s*大\s*中\s*小\s*[\]】)）]?"
    r"|(?:浏览|访问|阅读|点击)(?:次数|量|数)\s*[:：]?\s*\d*\s*次?"
    r"|(?:相关(?:文章|阅读|链接|新闻|稿件)|延伸阅读|推荐阅读)\s*[:：]?"
    r"|分享到\s*[:：]?|打印本页|关闭本页|关闭窗口|返回顶部|打印|关闭|收藏|上一篇[:：]?.*|下一篇[:：]?.*"
    r"|\[\d{1,3}\]|上一页|下一页|尾页|末页|扫一扫在手机(?:上)?打开(?:当前|本)页|相关附件|附件下载"
    r"|[|｜/\s\u3000]"
)


@dataclass
class Body:
    container: etree._Element | None
    source: str  # hanweb | zoom | trs | known | generic | none


def _hanweb(root: etree._Element) -> etree._Element | None:
    start = end = None
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").lower()
        if name == "contentstart" and start is None:
            start = meta
        elif name == "contentend" and start is not None:
            end = meta
            break
    if start is None:
        return None
    parent = start.getparent()
    if parent is None:
        return None
    if end is None or end.getparent() is not parent:
        return parent
    # wrap what lies between the two markers so it is one container, still in place in the tree
    wrapper = start.makeelement("div", {})
    set_text(wrapper, "text", start.tail)
    start.tail = None
    node = start.getnext()
    while node is not None and node is not end:
        following = node.getnext()
        wrapper.append(node)  # moves node (with its tail)
        node = following
    start.addnext(wrapper)
    return wrapper


def _has_content(element: etree._Element) -> bool:
    """Some text, a link (a body may hold nothing but its attachment) or a picture (an article
    published as an image has no text paragraphs, and a footer is not its body)."""
    if any(drop_zero_width(text).strip() for text in element.itertext()):
        return True
    if any(anchor.get("href") for anchor in element.iter("a")):
        return True
    return any(image.get("src") for image in element.iter("img"))


_INLINE = frozenset(
    ["font", "span", "b", "strong", "em", "i", "u", "center", "a", "small", "big", "sup", "sub", "label"]
)


def _block_ancestor(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag in _INLINE:
        parent = parent.getparent()
    return parent


def _densest(root: etree._Element) -> etree._Element | None:
    """The block holding the most paragraph text, for templates we do not know.

    A ``<p>`` scores for its nearest block ancestor (inline wrappers such as ``<font>`` skipped);
    a ``div``/``td`` scores for the text it holds directly (text broken by ``<br>``).
    """
    scores: dict[etree._Element, int] = {}
    prose: set[etree._Element] = set()
    for element in root.iter("p", "div", "td", "section", "article"):
        if element.tag == "p":
            owner = _block_ancestor(element)
            text = fold(text_of(element))
            length = len(text)
            if owner is not None and length >= 20 and _SENTENCE_RE.search(text):
                prose.add(owner)
        else:
            owner = element
            length = len((element.text or "").strip())
            for child in element:
                if child.tag in _INLINE or child.tag == "br":
                    length += len((child.tail or "").strip())
                    if child.tag != "br" and child.tag != "a":
                        length += len((child.text or "").strip())
            if length < 20:
                continue
        if owner is not None and length:
            scores[owner] = scores.get(owner, 0) + length
    best = None
    best_score = 0
    for element, score in scores.items():
        if score > best_score and element.tag not in ("html", "body") and not _is_junk(element):
            best, best_score = element, score
    if best is None or best_score < 40:
        return None
    return _widen(best, scores, prose)


def _widen(
    best: etree._Element, scores: dict[etree._Element, int], owners: set[etree._Element]
) -> etree._Element:
    """An article written in a WeChat-style editor is a tree of ``<section>``s holding a paragraph or
    two each: climb from the densest section through its ``<section>`` ancestors to the block that
    holds them all (one whose children are all sections), if that gathers more prose. Other
    templates keep the densest block: widening further pulls in titles, date lines and disclaimers."""
    if best.tag != "section":
        return best
    prose = {el: n for el, n in scores.items() if el in owners}
    total = sum(n for el, n in prose.items() if el is best or _within(el, best))
    current = candidate = best
    while True:
        parent = candidate.getparent()
        if parent is None or parent.tag in ("html", "body") or _is_junk(parent):
            break
        if parent.tag != "section" and any(
            isinstance(child.tag, str) and child.tag not in ("section", "p", "br") for child in parent
        ):
            break
        candidate = parent
        gathered = sum(n for el, n in prose.items() if el is parent or _within(el, parent))
        if gathered > total:
            current, total = parent, gathered
        if parent.tag != "section":
            break
    return current


def _within(element: etree._Element, ancestor: etree._Element) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def find_body(root: etree._Element, make_index: Callable[[], Index]) -> Body:
    """The body container: Hanweb markers, known ids/classes (needing the index), else the densest."""
    hanweb = _hanweb(root)
    if hanweb is not None and _has_content(hanweb):
        return Body(hanweb, "hanweb")
    index = make_index()
    for ids, tokens, source in _KNOWN:
        for element in index.all_with(ids=ids, tokens=tokens):
            if _has_content(element):
                return Body(element, source)
    generic = _densest(root)
    if generic is not None:
        return Body(generic, "generic")
    return Body(None, "none")


def _is_junk(element: etree._Element) -> bool:
    names = classes(element)
    if not names.strip():
        return False
    return any(token in _JUNK_TOKENS for token in _TOKEN_SPLIT_RE.split(names))


def remove_boilerplate(container: etree._Element) -> None:
    """Drop tool bars, share widgets, related lists and breadcrumbs inside the body (in place)."""
    doomed = []
    for element in container.iter():
        if element is container or not isinstance(element.tag, str):
            continue
        if _is_junk(element):
            doomed.append(element)
        elif element.tag in _HEADING_TAGS and _is_related_heading(element):
            doomed.append(element)
            following = element.getnext()
            if following is not None and following.tag in ("ul", "ol", "div", "table"):
                doomed.append(following)
    for element in doomed:
        if element.getparent() is not None:
            drop(element)


def _is_related_heading(element: etree._Element) -> bool:
    first = (element.text or "").lstrip()[:4]
    if not first.startswith(_RELATED_STARTS):
        return False
    return bool(_RELATED_RE.match(text_of(element)))


def _is_tool_line(line: str) -> bool:
    return len(line) <= _MAX_TOOL_LINE and not _TOOL_RE.sub("", line)


def _mark_blocks(container: etree._Element) -> None:
    """Put a break marker after every block and before it, touching only the small text nodes
    between blocks (rewriting a long paragraph's own text is what costs)."""
    for element in container.iter(*BLOCK_TAGS):
        if element is container:
            continue
        set_text(element, "tail", BREAK + element.tail if element.tail else BREAK)
        previous = element.getprevious()
        if previous is not None:
            if previous.tag not in _BLOCK_SET:
                set_text(previous, "tail", (previous.tail or "") + BREAK)
        else:
            parent = element.getparent()
            set_text(parent, "text", (parent.text or "") + BREAK)


def paragraphs(container: etree._Element) -> list[str]:
    """Non-empty paragraph texts, trimmed (indents included) but otherwise as published.

    Marks block boundaries in the tree (in place: call it last), then reads the text once.
    """
    _mark_blocks(container)
    lines = []
    # source whitespace collapsed once for the whole body (a run around a break becomes one space,
    # which the strip below removes), not line by line
    for line in collapse(text_of(container)).split(BREAK):
        line = line.strip()
        if not line or _is_tool_line(line):
            continue
        if len(line) < 16 and not drop_zero_width(line).strip():
            continue
        lines.append(line)
    return lines
