"""Text → lxml tree, robust to junk preambles, truncated markup and absurd nesting."""

from __future__ import annotations

import re

from lxml import etree

# huge_tree lifts libxml2's size limits; nesting beyond its depth cap is cut off, never recursed into.
# plain etree elements: lxml.html's per-element Python class lookup costs more than the parse itself
_PARSER = etree.HTMLParser(huge_tree=True, recover=True, remove_comments=False, remove_pis=True)
_STRING = etree.XPath("string()")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL_CHARS = ("<?xml",)


def parse(text: str) -> etree._Element | None:
    """The document's root element, or None when nothing parseable is left."""
    if not text or not text.strip():
        return None
    if text.lstrip().startswith(_XML_DECL_CHARS):
        # an XML declaration with an encoding is refused for str input; it carries nothing we need
        end = text.find("?>")
        text = text[end + 2 :] if end >= 0 else text
    text = text.replace("\x00", "").replace("\ufdd0", "")  # U+FDD0 is body.BREAK
    try:
        root = etree.fromstring(text, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


def text_of(element: etree._Element) -> str:
    """All text inside an element (like lxml.html's ``text_content``)."""
    return str(_STRING(element))


def set_text(element: etree._Element, attribute: str, value: str | None) -> None:
    """Set ``text`` or ``tail``; control characters the parser kept are dropped if lxml refuses them."""
    try:
        setattr(element, attribute, value)
    except ValueError:
        setattr(element, attribute, _CONTROL_RE.sub("", value or ""))


def drop(element: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            set_text(previous, "tail", (previous.tail or "") + tail)
        else:
            set_text(parent, "text", (parent.text or "") + tail)
    parent.remove(element)


def strip_invisible(root: etree._Element) -> None:
    """Drop scripts, styles, comments and other non-text nodes (keeping their tails)."""
    etree.strip_elements(
        root,
        "script",
        "style",
        "noscript",
        "template",
        etree.Comment,
        etree.ProcessingInstruction,
        with_tail=False,
    )


def classes(element: etree._Element) -> str:
    """The element's class and id, lower-cased, for keyword tests."""
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower()


class Index:
    """One pass over the tree: elements by id and by class token (lower-cased), in document order.

    Much cheaper than several ``//*[contains(@class, …)]`` XPath scans of the same tree.
    """

    def __init__(self, root: etree._Element) -> None:
        self.by_id: dict[str, etree._Element] = {}
        self.by_class: dict[str, list[etree._Element]] = {}
        self.marked: list[tuple[etree._Element, str]] = []  # (element, "class id") for keyword scans
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            ident = element.get("id")
            cls = element.get("class")
            if ident:
                self.by_id.setdefault(ident.strip().lower(), element)
            if cls:
                for token in cls.lower().split():
                    self.by_class.setdefault(token, []).append(element)
            if ident or cls:
                self.marked.append((element, f"{cls or ''} {ident or ''}".lower()))

    def find(self, *, ids: tuple[str, ...] = (), tokens: tuple[str, ...] = ()) -> etree._Element | None:
        """The first element, in the order of the names given, with one of these ids or class tokens."""
        for ident in ids:
            element = self.by_id.get(ident)
            if element is not None:
                return element
        for token in tokens:
            elements = self.by_class.get(token)
            if elements:
                return elements[0]
        return None

    def all_with(self, *, ids: tuple[str, ...] = (), tokens: tuple[str, ...] = ()) -> list[etree._Element]:
        found = [self.by_id[i] for i in ids if i in self.by_id]
        for token in tokens:
            found.extend(self.by_class.get(token, ()))
        return found

    def containing(self, *fragments: str) -> list[etree._Element]:
        """Elements whose class or id contains any of ``fragments``."""
        return [element for element, names in self.marked if any(f in names for f in fragments)]
