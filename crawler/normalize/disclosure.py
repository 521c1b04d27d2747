"""The labelled 政府信息公开 block: 索引号, 发布机构, 成文日期 … in whatever markup the site uses.

Forms read: label and value in sibling cells (``<td>``/``<th>``, ``<dt>``/``<dd>``, class-marked
``<span>`` pairs), label and value in one cell (``索引号: 002482082/2024-00332``), ``<li>`` with
``&ensp;``-padded labels, labels in a header row with values in the next row, and several pairs in
one run of text. Colons may be full-width, half-width or absent. Values are taken as published; the
first non-empty value of a label wins (blocks are often duplicated).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from .dom import text_of
from .text import clean, compact

#: field → its labels, most authoritative first
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号",),
    "title": ("名称", "标题", "文件名称"),
    "publisher": ("发布机构", "发文机关", "发布单位", "发文单位", "制发机关"),
    # 信息来源 often names a newspaper that carried the text: below the ContentSource meta tag
    "source": ("信息来源",),
    "written_date": ("成文日期", "生成日期", "发文日期", "印发日期", "发布日期"),
    "published_at": ("发布时间", "发布日期"),
    "doc_number": ("发文字号", "文号", "文件编号"),
    "category": ("主题分类", "组配分类", "体裁分类"),
    "validity": ("有效性",),
    "unified_no": ("统一编号",),
}
#: labels that belong to the block but map to no field; known so they are never taken as values
OTHER_LABELS = (
    "公开方式",
    "公开属性",
    "公开范围",
    "公开时限",
    "公开形式",
    "主题词",
    "关键词",
    "时效",
    "失效日期",
    "废止日期",
)
_ALL_LABELS = sorted(
    {label for labels in FIELD_LABELS.values() for label in labels} | set(OTHER_LABELS), key=len, reverse=True
)
_SP = r"[\s\u200b\ufeff]*"
_ALTERNATION = "|".join(_SP.join(map(re.escape, label)) for label in _ALL_LABELS)
#: a label at the start of a text, then an optional colon, then the rest
_LABEL_RE = re.compile(rf"^{_SP}(?P<label>{_ALTERNATION}){_SP}(?P<colon>[:：])?(?P<rest>.*)$", re.S)
#: a label followed by a colon anywhere (to split several pairs in one text)
_PAIR_RE = re.compile(rf"(?P<label>{_ALTERNATION}){_SP}[:：]")
_FIRST_CHARS = frozenset(label[0] for label in _ALL_LABELS)
_TEMPLATE_RE = re.compile(r"\{\{|\}\}|\$\{|<%|\bng-")
_CELL_TAGS = (
    "td",
    "th",
    "li",
    "dt",
    "dd",
    "span",
    "p",
    "div",
    "label",
    "b",
    "strong",
    "em",
    "font",
    "i",
    "h4",
    "h5",
)
_MAX_CELL = 400
_FORM_TAGS = frozenset(("select", "input", "button", "textarea", "form", "option"))


def _label_of(text: str) -> tuple[str, bool, str] | None:
    """``(label, had_colon, rest)`` when ``text`` starts with a block label, else None."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in _FIRST_CHARS:
        return None
    match = _LABEL_RE.match(stripped)
    if not match:
        return None
    rest = match.group("rest")
    colon = match.group("colon") is not None
    if not colon and rest.strip() and not rest[:1].isspace():
        return None  # "标题新闻…": a word that merely starts like a label
    return compact(match.group("label")), colon, rest


def _value(text: str | None) -> str | None:
    value = clean(text)
    if value is None or _TEMPLATE_RE.search(value) or len(value) > _MAX_CELL:
        return None
    return value


def _is_label_text(text: str) -> bool:
    return _label_of(text) is not None


def _split_pairs(label: str, rest: str) -> list[tuple[str, str]]:
    """``rest`` may hold further ``label：value`` pairs: split them."""
    pairs = []
    current = label
    position = 0
    for match in _PAIR_RE.finditer(rest):
        pairs.append((current, rest[position : match.start()]))
        current = compact(match.group("label"))
        position = match.end()
    pairs.append((current, rest[position:]))
    return pairs


def _header_row_value(cell: etree._Element) -> str | None:
    """Labels in a header row, values in the next row at the same column."""
    row = cell.getparent()
    if row is None or row.tag != "tr":
        return None
    cells = [c for c in row if c.tag in ("td", "th")]
    if len(cells) < 2 or not all(_is_label_text(text_of(c)) for c in cells):
        return None
    following = row.getnext()
    while following is not None and following.tag != "tr":
        following = following.getnext()
    if following is None:
        return None
    values = [c for c in following if c.tag in ("td", "th")]
    index = cells.index(cell)
    if index >= len(values) or _is_label_text(text_of(values[index])):
        return None
    return _value(text_of(values[index]))


def _sibling_value(element: etree._Element) -> str | None:
    """The value beside a label-only element: its tail text, else the next element unless a label."""
    tail = _value(element.tail)
    if tail:
        return tail
    sibling = element.getnext()
    if sibling is None or not isinstance(sibling.tag, str) or sibling.tag in _FORM_TAGS:
        return None  # a search form's <select> is no value
    text = text_of(sibling)
    if _is_label_text(text):
        return None
    return _value(text)


def read_block(root: etree._Element, exclude: Collection[etree._Element] = ()) -> dict[str, str]:
    """Label (compacted, e.g. ``索引号``) → its first non-empty value, outside ``exclude`` (the body)."""
    found: dict[str, str] = {}
    for element in root.iter(*_CELL_TAGS):
        if element in exclude:
            continue
        own = element.text
        if not own:
            continue
        if _label_of(own) is None:
            continue
        full = text_of(element)
        if len(full) > _MAX_CELL * 2:
            continue
        parsed = _label_of(full)
        if parsed is None:
            continue
        label, _colon, rest = parsed
        for pair_label, pair_text in _split_pairs(label, rest):
            value = _value(pair_text)
            if value is None and pair_label == label and not rest.strip():
                value = _sibling_value(element)
                if value is None and element.tag in ("td", "th"):
                    value = _header_row_value(element)
            if value is not None and pair_label not in found:
                found[pair_label] = value
    return found


def fields_from_block(found: dict[str, str]) -> dict[str, str]:
    """Field name → value, taking each field's labels in order of authority."""
    fields: dict[str, str] = {}
    for field, labels in FIELD_LABELS.items():
        for label in labels:
            if found.get(label):
                fields[field] = found[label]
                break
    return fields
