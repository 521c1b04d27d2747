"""One parsed page shared by every detector: the tree, its text passages, links, scripts, metas.

Built once per ``check()`` from the page's :class:`~crawler.normalize.document.Document`: the text and
the tree the normalizer read (lxml is the only parse, shared with it); detectors read it and never
re-parse, and never change the tree.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from crawler.integrity import css, hosts
from crawler.integrity.lexicon import Scan, may_have_spam, scan
from crawler.model import Release
from crawler.normalize.document import Document
from crawler.normalize.dom import parse

# elements that own a passage of text (inline children - a, span, font, b … - merge into it, so a
# phrase split across inline tags still reads as one)
_BLOCK_TAGS = """p div td th li dd dt h1 h2 h3 h4 h5 h6 title blockquote section article table tr ul ol dl
form body header footer nav aside main pre center marquee option caption figcaption address legend fieldset
button select textarea"""
_BLOCK = frozenset(_BLOCK_TAGS.split())
_SKIP = frozenset(("script", "style", "noscript", "template"))
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DOC_START = re.compile(r"<!doctype|<html[\s>]", re.I)
_TAG = re.compile(r"<[a-z]", re.I)


@dataclass(frozen=True)
class Hidden:
    element: etree._Element
    reason: str
    selector: str | None = None  # ".x" / "#y" when a style block hides it


@dataclass
class Passage:
    """Text owned by one element (its own text and that of inline children)."""

    element: etree._Element | None
    where: str  # head | body | preamble | meta
    hidden: Hidden | None
    parts: list[str] = field(default_factory=list)
    label: str | None = None  # fixed location (meta tags, preamble)

    @cached_property
    def text(self) -> str:
        return "".join(self.parts)

    @cached_property
    def scan(self) -> Scan:
        return scan(self.text)


@dataclass(frozen=True)
class LinkRef:
    element: etree._Element
    url: str
    host: str
    text: str
    hidden: Hidden | None


_EMPTY = "<html><body></body></html>"


def _document(raw: bytes | str | Document) -> Document:
    if isinstance(raw, Document):
        return raw
    return Document.of_text(raw) if isinstance(raw, str) else Document(raw)


def _read(doc: Document) -> tuple[str, etree._Element]:
    """The text the rules read (control characters dropped) and its tree: the document's own tree,
    read as parsed, unless dropping them changed the text (then that text is parsed)."""
    text = doc.text
    clean = _CONTROL.sub("", text)
    root = doc.tree if clean == text else parse(clean)
    if root is None:
        root = parse(_EMPTY)
    assert root is not None
    return clean, root


class Page:
    """The shared context: build with ``Page.build(html, release, site_hosts)``."""

    def __init__(
        self,
        doc: Document,
        release: Release | None,
        site_hosts: Collection[str] | None,
        allow_hosts: Collection[str] | None = None,
    ):
        self.text, self.root = _read(doc)
        self.release = release
        self.base_url = release.url if release is not None else None
        self.sites = hosts.site_set(site_hosts)
        self.allowed = hosts.site_set(hosts.host_of(h) if "/" in h else h for h in allow_hosts or ())
        self.passages: list[Passage] = []
        self.links: list[LinkRef] = []  # links inside hidden elements
        self.scripts: list[tuple[etree._Element, str]] = []  # (element, inline code)
        self.script_srcs: list[tuple[etree._Element, str]] = []
        self.metas: dict[str, tuple[etree._Element, str]] = {}
        self.refresh: list[tuple[etree._Element, str]] = []
        self.canonical: list[tuple[etree._Element, str]] = []
        self.previous: Release | None = None
        self.rules = css.parse_style_blocks([s.text or "" for s in self.root.iter("style")])
        self.preamble = self._preamble()
        self._walk()

    @classmethod
    def build(
        cls, raw: bytes | str | Document, release: Release | None = None, site_hosts=None, allow_hosts=None
    ) -> Page:
        """The page of ``raw``: its bytes, its text, or the :class:`Document` the normalizer read
        (then its decoding and parse are shared, and its tree only read)."""
        return cls(_document(raw), release, site_hosts, allow_hosts)

    @property
    def has_sites(self) -> bool:
        return bool(self.sites)

    def offsite(self, host: str) -> bool:
        return hosts.is_offsite(host, self.sites) and not hosts.is_site(host, self.allowed)

    def accepted(self, host: str) -> bool:
        """The site itself, or a host its owner allows (``integrity.allow_hosts``)."""
        return hosts.is_site(host, self.sites) or hosts.is_site(host, self.allowed)

    def host(self, url: str) -> str:
        return hosts.host_of(url, self.base_url)

    @cached_property
    def may_have_spam(self) -> bool:
        """False when no passage can hold a brand or topic term (lets detectors skip the per-passage scan)."""
        return may_have_spam("\n".join(p.text for p in self.passages))

    # --- building ---------------------------------------------------------------------------------
    def _preamble(self) -> str:
        head = self.text[:65536]
        m = _DOC_START.search(head)
        if not m:
            return ""
        before = head[: m.start()]
        if not _TAG.search(before):
            return ""
        return before.strip()

    def _own_hidden(self, el: etree._Element, tag: str) -> Hidden | None:
        if tag == "marquee":
            return Hidden(el, "marquee")
        if not el.keys():  # most elements carry no attribute at all
            return None
        if el.get("hidden") is not None:
            return Hidden(el, "hidden attribute")
        reason = css.hidden_reason(el.get("style"))
        if reason:
            return Hidden(el, reason)
        found = self.rules.reason(el.get("id"), el.get("class"))
        if found:
            return Hidden(el, found[1], found[0])
        return None

    def _walk(self) -> None:
        for name, el in ((n, e) for e in self.root.iter("meta") for n in [e.get("name")] if n):
            self.metas.setdefault(name.strip().lower(), (el, el.get("content") or ""))
            if name.strip().lower() in ("keywords", "description"):
                self.passages.append(
                    Passage(el, "meta", None, [el.get("content") or ""], f"head meta[name={name}]")
                )
        for el in self.root.iter("meta"):
            if (el.get("http-equiv") or "").strip().lower() == "refresh":
                self.refresh.append((el, el.get("content") or ""))
        for el in self.root.iter("link"):
            if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
                self.canonical.append((el, el.get("href")))
        for name in ("og:url",):
            for el in self.root.iter("meta"):
                if el.get("property") == name and el.get("content"):
                    self.canonical.append((el, el.get("content")))
        if self.preamble:
            stripped = re.sub(r"<[^>]*>", " ", self.preamble)
            self.passages.append(Passage(None, "preamble", None, [stripped], "preamble"))
        body_start = Passage(self.root, "head", None)
        self.passages.append(body_start)
        self._visit(self.root, body_start, None, "head", 0)

    def _visit(
        self, el: etree._Element, owner: Passage, hidden: Hidden | None, where: str, depth: int
    ) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):  # comment / processing instruction
                if child.tail:
                    owner.parts.append(child.tail)
                continue
            tag = tag.lower()
            child_where = "body" if tag == "body" else where
            if tag in _SKIP:
                if tag == "script":
                    src = child.get("src")
                    if src:
                        self.script_srcs.append((child, src))
                    elif child.text:
                        self.scripts.append((child, child.text))
                if child.tail:
                    owner.parts.append(child.tail)
                continue
            child_hidden = hidden or self._own_hidden(child, tag)
            if tag in _BLOCK or (child_hidden is not None and hidden is None):
                mine = Passage(child, child_where, child_hidden)
                self.passages.append(mine)
            else:
                mine = owner
            if child.text:
                mine.parts.append(child.text)
            if tag in ("a", "area", "iframe", "frame"):
                url = child.get("href") if tag in ("a", "area") else child.get("src")
                if url and child_hidden is not None:  # only hidden links are ever judged
                    self.links.append(
                        LinkRef(
                            child,
                            url.strip(),
                            self.host(url),
                            "".join(child.itertext()).strip(),
                            child_hidden,
                        )
                    )
            if depth < 400:
                self._visit(child, mine, child_hidden, child_where, depth + 1)
            if mine is not owner:
                owner.parts.append(" ")  # a block boundary separates words
            if child.tail:
                owner.parts.append(child.tail)

    # --- reporting --------------------------------------------------------------------------------
    def location(self, passage_or_el: Passage | etree._Element | None) -> str:
        if isinstance(passage_or_el, Passage):
            if passage_or_el.label:
                return passage_or_el.label
            el = passage_or_el.element
            hidden = passage_or_el.hidden
        else:
            el, hidden = passage_or_el, None
        where = describe(el)
        if hidden is not None:
            where += f" (hidden: {hidden.selector + ' ' if hidden.selector else ''}{hidden.reason})"
        return where


def describe(el: etree._Element | None) -> str:
    """A short pointer: ``div#zoom p[3]``, ``body div.xx[1]``, ``head title``."""
    if el is None or not isinstance(el.tag, str):
        return "document"
    tag = el.tag.lower()
    if tag in ("html", "body", "head", "title"):
        return tag if tag != "title" else "head title"
    anchor = None
    for anc in el.iterancestors():
        if isinstance(anc.tag, str) and (anc.get("id") or anc.tag.lower() in ("body", "head")):
            anchor = anc
            break
    name = tag + (f".{el.get('class').split()[0]}" if (el.get("class") or "").split() else "")
    if el.get("id"):
        return f"{tag}#{el.get('id')}"
    if anchor is None:
        return name
    n = 1
    for other in anchor.iterdescendants(el.tag):
        if other is el:
            break
        n += 1
    head = f"{anchor.tag.lower()}#{anchor.get('id')}" if anchor.get("id") else anchor.tag.lower()
    return f"{head} {name}[{n}]"
