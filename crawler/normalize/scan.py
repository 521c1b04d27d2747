"""One pass over the tree for what several readers look for: label starts, dated texts, headings.

Walking an lxml tree from Python costs about a microsecond per element, more than most of what is
done with the few elements that matter; so the block reader, the date-line reader and the title
reader share this one walk instead of making three.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .labels import FIRST_CHARS

_DATE_RE = re.compile(r"(?:19|20)\d{2}\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2}")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_STARTS = FIRST_CHARS | _INVISIBLE


@dataclass
class Scan:
    label_starts: list[etree._Element] = field(default_factory=list)  # own text starts like a label
    dated: list[etree._Element] = field(default_factory=list)  # own text or a child's tail has a date
    root: etree._Element | None = None
    _order: dict[etree._Element, int] | None = None

    @property
    def order(self) -> dict[etree._Element, int]:
        """Document order of every element (one more walk, made only when asked for)."""
        if self._order is None:
            self._order = {} if self.root is None else {el: n for n, el in enumerate(self.root.iter())}
        return self._order


def _has_date(text: str) -> bool:
    return len(text) > 7 and ("20" in text or "19" in text) and _DATE_RE.search(text) is not None


def scan(root: etree._Element) -> Scan:
    found = Scan(root=root)
    starts, dated = found.label_starts, found.dated
    search = _DATE_RE.search
    for element in root.iter():
        text = element.text
        if text:
            first = text[0]
            if first in _STARTS or (first.isspace() and text.lstrip()[:1] in _STARTS):
                starts.append(element)
            if len(text) > 7 and ("20" in text or "19" in text) and search(text):
                dated.append(element)
        tail = element.tail
        if tail and len(tail) > 7 and ("20" in tail or "19" in tail) and search(tail):
            parent = element.getparent()
            if parent is not None:
                dated.append(parent)
    return found


_HEADINGS = etree.XPath(
    "//h1|//h2|//h3|//h4|//ucaptitle|//*[contains(@class,'tit') or contains(@class,'Tit') or "
    "contains(@class,'TIT') or contains(@id,'tit') or contains(@id,'Tit') or contains(@class,'bt') or "
    "contains(@class,'biaoti')]"
)


def headings(root: etree._Element) -> list[etree._Element]:
    """h1–h4, ``<ucaptitle>``, and elements whose class or id names a title (in document order)."""
    return list(_HEADINGS(root))
