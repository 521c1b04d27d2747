"""Where a Hanweb (大汉 jcms) page keeps its records, and the jpage call that pages through them.

* ``<datastore>`` blocks: ``<div id="UNIT"><script type="text/xml"><datastore><nextgroup>…
  <recordset><record><![CDATA[<li>…</li>]]></record>…`` on column pages, the bare XML in dataproxy
  replies. A page may hold several units (a sidebar's "热点信息" is one too): the column's is the one
  the jpage call drives, else the one with a ``<nextgroup>``, else the largest.
* A JS array in older templates: ``var InitData49468;InitData49468=['<li>…</li>', …];`` named by
  the jpage call's ``dataStore`` (or given inline).
* The jpage call ``$('#UNIT').jpage({totalRecord, perPage, groupSize, proxyUrl, dataStore,
  ajaxParam})`` whose ``ajaxParam`` is an object literal or the name of one (``param_UNIT``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

from lxml import etree
from parsel.csstranslator import css2xpath

from crawler.net.urlpolicy import join
from crawler.profiles.base import ListItem
from crawler.profiles.common import clean, dedupe, link_item, text_of
from crawler.profiles.dates import find_date
from crawler.profiles.jsobj import as_int, as_text, assigned, literal_at

_DATASTORE = re.compile(r"<datastore\b[^>]*>(.*?)</datastore>", re.IGNORECASE | re.DOTALL)
_UNIT_BEFORE = re.compile(
    r"""<div\b[^>]*\bid\s*=\s*["']?([\w-]+)["']?[^>]*>\s*<script\b[^>]*>\s*$""", re.IGNORECASE
)
_RECORD = re.compile(r"<record\b[^>]*>(.*?)</record>", re.IGNORECASE | re.DOTALL)
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*?)\]\]>\s*$", re.DOTALL)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>(.*?)</nextgroup>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""href\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_TAG_INT = "<{0}>\\s*(\\d+)\\s*</{0}>"
_JPAGE = re.compile(
    r"""(?:\$|jQuery)\(\s*["']#([\w-]+)["']\s*\)\s*\.jpage\s*\(\s*(?=\{)|\.jpage\s*\(\s*(?=\{)"""
)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_INITDATA = re.compile(r"(?<![\w$.])(InitData\w*)\s*=\s*(?=\[)")


@dataclass
class Jpage:
    """The jpage call's settings (``proxy`` absolute) and the POST form its ``ajaxParam`` makes."""

    unit: str | None
    proxy: str | None
    total: int | None
    perpage: int | None
    group: int | None
    form: dict[str, str] = field(default_factory=dict)
    data_store: object = None


@dataclass
class Records:
    items: list[ListItem]
    count: int  # records held, counted as the server counts them (duplicates and all)
    block: str = ""  # the <datastore> text (its <nextgroup>, <totalrecord>, <totalpage>)
    found: bool = False  # a record store was there at all (an empty one is a genuine empty column)


def unwrap(raw: str) -> str:
    match = _CDATA.match(raw)
    return match.group(1) if match else unescape(raw)


def tag_int(text: str, tag: str) -> int | None:
    match = re.search(_TAG_INT.format(tag), text, re.IGNORECASE)
    return int(match.group(1)) if match else None


#: one parser for every record (parsel makes a parser per document: most of a record's cost)
_PARSER = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
#: parsel's CSS, compiled once to XPath on plain lxml elements
_ANCHORS = etree.XPath(css2xpath("a[href]"))
_MARKED = etree.XPath(css2xpath("span ::text, b ::text, i ::text, em ::text, font ::text"))


def _record_root(html: str) -> etree._Element:
    """The record's tree, parsed as ``parsel.Selector(text=...)`` parses it."""
    body = f"<div>{html}</div>".strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    root = etree.fromstring(body, parser=_PARSER)
    return root if root is not None else etree.fromstring(b"<html/>", parser=_PARSER)


def record_item(html: str, base: str) -> ListItem | None:
    node = _record_root(html)
    anchors = [a for a in _ANCHORS(node) if not a.get("href").lower().startswith("javascript")]
    if not anchors:
        return None
    anchor = next((a for a in anchors if "/art/" in a.get("href")), anchors[0])
    marked = " ".join(str(t) for t in _MARKED(node))
    rest = text_of(node).replace(text_of(anchor), " ")
    return link_item(anchor, base, context_text=marked if find_date(marked) else rest)


def _items(raws: list[str], base: str) -> list[ListItem]:
    found = (record_item(raw, base) for raw in raws)
    return dedupe(item for item in found if item is not None)


def nextgroup_url(block: str, base: str) -> str | None:
    match = _NEXTGROUP.search(block)
    if not match:
        return None
    inner = unwrap(match.group(1))
    href = _HREF.search(inner)
    value = href.group(2) if href else clean(inner)
    if not value or "dataproxy" not in value.lower():
        return None
    return join(base, value.replace("&amp;", "&"))


def _blocks(text: str) -> list[tuple[str | None, str]]:
    """``(unit id, datastore text)`` for every ``<datastore>`` on the page."""
    out = []
    for match in _DATASTORE.finditer(text):
        before = _UNIT_BEFORE.search(text[max(0, match.start() - 400) : match.start()])
        out.append((before.group(1) if before else None, match.group(1)))
    return out


def _pick(blocks: list[tuple[str | None, str]], unit: str | None) -> str:
    if len(blocks) == 1:
        return blocks[0][1]
    for block_unit, block in blocks:
        if unit and block_unit == unit:
            return block
    paged = [b for _, b in blocks if _NEXTGROUP.search(b) and nextgroup_url(b, "http://x/")]
    if paged:
        return paged[0]
    return max((b for _, b in blocks), key=lambda b: len(_RECORD.findall(b)))


def datastore_records(text: str, base: str, unit: str | None = None) -> Records:
    blocks = _blocks(text)
    if not blocks:
        return Records(items=[], count=0)
    block = _pick(blocks, unit)
    raws = [unwrap(raw) for raw in _RECORD.findall(block)]
    return Records(items=_items(raws, base), count=len(raws), block=block, found=True)


def column_records(text: str, base: str, jpage: Jpage | None) -> Records:
    """The column's records on its own page: the ``<datastore>`` of the jpage call's unit, else the
    call's ``InitData`` array, else the page's (one, paged, or largest) ``<datastore>``."""
    blocks = _blocks(text)
    unit = jpage.unit if jpage else None
    if unit and any(block_unit == unit for block_unit, _ in blocks):
        return datastore_records(text, base, unit)
    array = initdata_records(text, base, jpage)
    if array.found and (array.count or not blocks):
        return array
    return datastore_records(text, base, unit)


def initdata_records(text: str, base: str, jpage: Jpage | None) -> Records:
    """Records kept in a JS array: the jpage call's ``dataStore`` (a name or an inline array)."""
    store = jpage.data_store if jpage else None
    value: object = None
    if isinstance(store, list):
        value = store
    elif isinstance(store, str) and _IDENT.fullmatch(store):
        value = assigned(text, store)
    if value is None:
        match = _INITDATA.search(text)
        value = literal_at(text, match.end()) if match else None
    if not isinstance(value, list):
        return Records(items=[], count=0)
    raws = [raw for raw in value if isinstance(raw, str) and raw.strip()]
    return Records(items=_items(raws, base), count=len(raws), found=True)


def _form(settings: dict, text: str) -> dict[str, str]:
    param = settings.get("ajaxParam")
    if isinstance(param, str) and _IDENT.fullmatch(param):
        param = assigned(text, param)
    form: dict[str, str] = {}
    if isinstance(param, dict):
        for key, value in param.items():
            scalar = as_text(value)
            if scalar is not None:
                form[str(key)] = scalar
    return form


def jpage_call(text: str, base: str) -> Jpage | None:
    """The jpage call that pages the column (the first with a ``proxyUrl``), or None."""
    fallback = None
    for match in _JPAGE.finditer(text):
        settings = literal_at(text, match.end())
        if not isinstance(settings, dict):
            continue
        proxy = settings.get("proxyUrl")
        call = Jpage(
            unit=match.group(1),
            proxy=join(base, proxy) if isinstance(proxy, str) and proxy.strip() else None,
            total=as_int(settings.get("totalRecord")),
            perpage=as_int(settings.get("perPage")),
            group=as_int(settings.get("groupSize")),
            form=_form(settings, text),
            data_store=settings.get("dataStore"),
        )
        if call.proxy:
            return call
        fallback = fallback or call
    return fallback
