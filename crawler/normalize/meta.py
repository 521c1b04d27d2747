"""The standard page meta tags (《政府网站发展指引》) and the metas that carry dates.

``PubDate`` is the publication time on most CMSs, but on several (开普云 UCAP, Hanweb's
``Maketime``) a meta carries the time the page was *generated*: ``<meta name="others"
content="页面生成时间 2023-05-16 12:34:05">`` beside a ``PubDate`` of the same minute. A publication
meta that names the very instant (to the second) of a generation-time meta is a copy of it, not a
publication date (``publication_dates`` drops it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from .dates import parse_datetime
from .text import clean

#: meta names read (lower-cased) → our key
META_NAMES = {
    "articletitle": "title",
    "contentsource": "source",
    "sitename": "site_name",
    "columnname": "column",
    "publisher": "publisher",
    "dc.publisher": "publisher",
    "dcterms.publisher": "publisher",
}
#: metas (name or property, lower-cased) that carry the publication time, most trusted first
PUBLICATION_METAS = (
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "firstpublishedtime",
    "article:published_time",
    "dcterms.issued",
    "dc.date.issued",
    "dc.date",
)
#: metas that carry the time the page was generated, never its publication
GENERATION_METAS = ("maketime", "htmlgeneratetime", "generatetime", "generatedate", "pagegeneratetime")
_GENERATED_RE = re.compile(r"(?:页面)?生成时间\s*[:：]?\s*(.+)")


@dataclass
class Meta:
    values: dict[str, str] = field(default_factory=dict)  # our key → first non-empty content
    dates: list[tuple[str, str]] = field(default_factory=list)  # (meta name, content) of publication metas
    generated: list[str] = field(default_factory=list)  # ISO generation times

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def publication_dates(self) -> list[str]:
        """ISO publication times from the metas, without those that are the page's generation time."""
        out = []
        for _name, content in sorted(self.dates, key=lambda d: PUBLICATION_METAS.index(d[0])):
            value = parse_datetime(content)
            if value and not self._is_generation(value):
                out.append(value)
        return out

    def _is_generation(self, value: str) -> bool:
        # the very instant a page-generation meta names (to the second: a copy of it); a page first
        # generated when it was published may well name the same minute, and a date-only meta is a date
        return len(value) > 10 and value in self.generated


def read_meta(root: etree._Element) -> Meta:
    """The page's metas. Attribute text is text, never markup."""
    meta = Meta()
    for element in root.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        if not name:
            continue
        content = clean(element.get("content"))
        if not content:
            continue
        key = META_NAMES.get(name)
        if key and key not in meta.values:
            meta.values[key] = content
        if name in PUBLICATION_METAS:
            meta.dates.append((name, content))
        elif name in GENERATION_METAS:
            generated = parse_datetime(content)
            if generated:
                meta.generated.append(generated)
        elif "生成时间" in content:
            match = _GENERATED_RE.search(content)
            generated = parse_datetime(match.group(1)) if match else None
            if generated:
                meta.generated.append(generated)
    return meta
