"""The labelled 政府信息公开 block: 索引号, 发布机构, 成文日期 … read by meaning, in any markup.

A label is found wherever an element's text starts with one (``labels.match_label``: any whitespace,
``&nbsp;``, ``&ensp;``, U+3000 or inline element between its characters, a colon or none). Its value:

- in the same element after the colon (one cell ``索引号：002482082/2024-00332``; several pairs in one
  run of text are split: ``索引号：… 发布机构：…``);
- else, climbing from the label through the wrappers that hold nothing but it (``<label><font>``,
  ``<td><b>``, ``<th>``, ``<dt>``), its tail text or the next element: the next cell of a row (two or
  four columns), the ``<dd>`` after a ``<dt>``, the ``<div>``/``<span>`` beside a ``<label>``;
- for a row of label cells (a header row, with or without ``<thead>``, or a one-column row pair),
  the cell at the same column of the next row.

An empty value cell gives no value (never the next label's text). Values are taken as published; the
first non-empty value of a label wins (blocks are often printed twice). Inside the body container
only structured blocks count (table, list, definition list: a ``<p>`` of the article that starts with
"发布机构：" is text), and their rows are removed from the body (``Block.body_rows``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from lxml import etree

from .dom import text_of
from .labels import (
    ALL_LABELS,
    FIELD_LABELS,
    FIRST_CHARS,
    LABEL_FIELD,
    WEAK,
    is_label,
    match_label,
    split_pairs,
    squeeze,
)
from .text import clean, drop_zero_width

_TEMPLATE_RE = re.compile(r"\{\{|\}\}|\$\{|<%|\bng-")
_MAX_CELL = 400
_FORM_TAGS = frozenset(("select", "input", "button", "textarea", "form", "option"))
_SKIP_TAGS = frozenset(
    ("html", "head", "body", "title", "meta", "script", "style", "form", "select", "option")
)
_CELLS = frozenset(("td", "th"))
_STRUCTURES = frozenset(("table", "dl", "ul", "ol"))
_SEPARATORS = " \t\r\n\u3000\u00a0|｜/,，;；"
_LABEL_SET = frozenset(ALL_LABELS)
_PREFIXES = frozenset(label[:k] for label in ALL_LABELS for k in range(1, len(label)))
_LONGEST = max(len(label) for label in ALL_LABELS)
#: fields a page's block gives only beside a strong label (see labels.WEAK); dates are read anyway
_UNGATED = frozenset(("published_at",))
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_INLINE = frozenset(("b", "strong", "font", "span", "label", "em", "i", "u", "small", "big", "cite", "sup"))
#: elements whose own text may start a label (libxml2 filters by tag; links, images, scripts are skipped)
_TEXT_TAGS = (
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
    "font",
    "em",
    "i",
    "u",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "small",
    "section",
    "article",
    "tr",
    "center",
    "cite",
    "big",
    "ul",
    "ol",
    "dl",
    "table",
    "tbody",
    "caption",
    "header",
    "footer",
    "aside",
    "main",
)


@dataclass
class Hit:
    label: str
    value: str | None
    element: etree._Element  # the label (or the one cell holding label and value)
    value_element: etree._Element | None = None
    in_body: bool = False


@dataclass
class Block:
    """What the page's labels say: ``values`` label → first non-empty value."""

    hits: list[Hit] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    strong: bool = False  # at least one unmistakable block label (索引号, 发布机构, 成文日期 …)
    _fields: tuple[tuple[int, bool], dict[str, str]] | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.values)

    def fields(self) -> dict[str, str]:
        """Field name → value, taking each field's labels in order of authority."""
        if self._fields is not None and self._fields[0] == (len(self.values), self.strong):
            return dict(self._fields[1])
        found: dict[str, str] = {}
        for name, labels in FIELD_LABELS.items():
            for label in labels:
                value = self.values.get(label)
                if value and (self.strong or label not in WEAK or name in _UNGATED):
                    found[name] = value
                    break
        self._fields = ((len(self.values), self.strong), found)
        return dict(found)

    @property
    def identity(self) -> int:
        """Distinct fields a strong block gives (index, publisher, dates, number, category …)."""
        if not self.strong:
            return 0
        return len([name for name in self.fields() if name not in ("source", "published_at")])

    def elements(self) -> set[etree._Element]:
        """The labels and values read (and the elements that hold them)."""
        found: set[etree._Element] = set()
        for hit in self.hits:
            found.add(hit.element)
            if hit.value_element is not None:
                found.add(hit.value_element)
        return found

    def body_rows(self) -> list[etree._Element]:
        """Elements of the block that sit inside the body container: a whole table/list that holds
        two labels or more, else the row of the one label."""
        rows: list[etree._Element] = []
        groups: dict[etree._Element, int] = {}
        inside = [hit for hit in self.hits if hit.in_body]
        for hit in inside:
            group = _structure(hit.element)
            if group is not None:
                groups[group] = groups.get(group, 0) + 1
        for group, count in groups.items():
            if count >= 2:
                rows.append(group)
        for hit in inside:
            group = _structure(hit.element)
            if group is not None and groups.get(group, 0) >= 2:
                continue
            rows.append(_row(hit.element))
            if hit.value_element is not None and hit.value_element.getparent() is not None:
                rows.append(hit.value_element)
        return rows


def _structure(element: etree._Element) -> etree._Element | None:
    for ancestor in element.iterancestors():
        if ancestor.tag in _STRUCTURES:
            return ancestor
        if ancestor.tag in ("body", "html"):
            return None
    return None


def _row(element: etree._Element) -> etree._Element:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("tr", "li", "dd", "dt", "p"):
            return ancestor
        if ancestor.tag in _STRUCTURES or ancestor.tag in ("body", "html"):
            break
    return element


def _value(text: str | None) -> str | None:
    value = clean(text)
    if value is None:
        return None
    value = value.strip(_SEPARATORS).lstrip(":：∶").strip(_SEPARATORS)
    if not value or not drop_zero_width(value).strip():
        return None
    if _TEMPLATE_RE.search(value) or len(value) > _MAX_CELL:
        return None
    return value


def _may_start_label(own: str) -> bool:
    """Cheap test on an element's own text: does a label (or the start of one) begin here?"""
    head = squeeze(own.lstrip()[: _LONGEST * 4])
    if not head or head[0] not in FIRST_CHARS:
        return False
    for k in range(2, min(len(head), _LONGEST) + 1):
        if head[:k] in _LABEL_SET:
            return True
    return head in _PREFIXES  # "索" in <b>索</b><b>引</b>号


def _label_element(
    element: etree._Element, own: str
) -> tuple[etree._Element, str, tuple[str, bool, str]] | None:
    """``(element, its text, parsed label)`` for the element whose text starts with a whole label,
    climbing when the label runs on past the element where it starts (``<b>索</b><b>引</b>号：``)."""
    current = element
    for _ in range(4):
        full = own if current is element and not len(current) else text_of(current)
        if len(full) > _MAX_CELL * 2:
            return None
        parsed = match_label(full)
        if parsed is not None:
            return current, full, parsed
        if squeeze(full) not in _PREFIXES:
            return None
        parent = current.getparent()
        if parent is None or parent.tag in _SKIP_TAGS:
            return None
        current = parent
    return None


def _blank(text: str | None) -> bool:
    return not text or not squeeze(text)


def _label_only_top(element: etree._Element, own: str) -> etree._Element:
    """Climb from an inline label (``<font>``, ``<b>``, ``<label>``, ``<span>`` …) through the
    wrappers that hold nothing but it (``<label><font>``, ``<td><b>``); a cell or any other block
    element is as far as a label goes."""
    top = element
    squeezed = None
    parent = top.getparent()
    while top.tag in _INLINE and parent is not None and parent.tag not in _SKIP_TAGS:
        if not (_blank(parent.text) and _blank(top.tail)):
            break
        others = [child for child in parent if child is not top]
        if any(not _blank(child.text) or not _blank(child.tail) for child in others):
            break  # a sibling with text of its own: the parent holds more than the label
        if others:
            squeezed = squeezed if squeezed is not None else squeeze(own)
            if squeeze(text_of(parent)) != squeezed:
                break
        top = parent
        parent = top.getparent()
    return top


def _in_link_or_form(element: etree._Element, forms: bool) -> bool:
    """A link's text is no label, a search form's "主题分类：" no block."""
    if element.tag == "a":
        return True
    for depth, ancestor in enumerate(element.iterancestors()):
        tag = ancestor.tag
        if tag == "form":
            return True
        if tag == "a" and depth < 3:
            return True
        if depth >= 2 and not forms:
            return False
    return False


def _next_element(element: etree._Element) -> etree._Element | None:
    sibling = element.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        if sibling.tail and sibling.tail.strip():
            return None
        sibling = sibling.getnext()
    return sibling


def _cells(row: etree._Element) -> list[etree._Element]:
    return [cell for cell in row if cell.tag in _CELLS]


def _column(cells: list[etree._Element], cell: etree._Element) -> int:
    column = 0
    for other in cells:
        if other is cell:
            return column
        column += _span(other)
    return column


def _span(cell: etree._Element) -> int:
    try:
        return max(1, int(cell.get("colspan") or 1))
    except ValueError:
        return 1


def _header_row_value(cell: etree._Element) -> tuple[str | None, etree._Element | None]:
    """Labels in a row of their own, values in the next row at the same column."""
    row = cell.getparent()
    if row is None or row.tag != "tr":
        return None, None
    cells = _cells(row)
    filled = [c for c in cells if squeeze(text_of(c))]
    if not filled or not all(is_label(text_of(c)) for c in filled):
        return None, None
    following = _next_row(row)
    if following is None:
        return None, None
    column = _column(cells, cell)
    position = 0
    for value_cell in _cells(following):
        if position == column:
            text = text_of(value_cell)
            if is_label(text):
                return None, None
            return _value(text), value_cell
        position += _span(value_cell)
        if position > column:
            break
    return None, None


def _next_row(row: etree._Element) -> etree._Element | None:
    """The next ``<tr>`` of the same table with some text (spacer rows skipped)."""
    following = _adjacent_row(row)
    for _ in range(3):
        if following is None or squeeze(text_of(following)):
            return following
        following = _adjacent_row(following)
    return following


def _adjacent_row(row: etree._Element) -> etree._Element | None:
    """The next ``<tr>`` of the same table, across ``<thead>``/``<tbody>``."""
    following = row.getnext()
    while following is not None and following.tag != "tr":
        following = following.getnext()
    if following is not None:
        return following
    section = row.getparent()
    if section is None or section.tag not in ("thead", "tbody", "tfoot"):
        return None
    sibling = section.getnext()
    while sibling is not None:
        if sibling.tag == "tr":
            return sibling
        if sibling.tag in ("tbody", "tfoot"):
            return next((r for r in sibling if r.tag == "tr"), None)
        sibling = sibling.getnext()
    return None


def _beside(top: etree._Element) -> tuple[str | None, etree._Element | None, str | None]:
    """``(value, value element, rest text)`` for a label-only element: its tail, else the next
    element (unless that is a label or a form control), else the header-row value."""
    tail = top.tail
    if tail and _value(tail):
        return None, None, tail
    sibling = _next_element(top)
    if sibling is not None and sibling.tag in _FORM_TAGS:
        return None, None, None
    if sibling is not None:
        text = text_of(sibling)
        if not is_label(text):
            return _value(text), sibling, None
        if top.tag not in _CELLS:
            return None, None, None
    if top.tag in _CELLS:
        value, cell = _header_row_value(top)
        return value, cell, None
    return None, None, None


def read_block(
    root: etree._Element,
    body: Collection[etree._Element] = (),
    starts: Iterable[etree._Element] | None = None,
    container: etree._Element | None = None,
) -> Block:
    """Every label of the page and its value; ``body``: the body container's elements; ``starts``:
    the elements to look at (default: every element that may hold text)."""
    block = Block()
    consumed: set[etree._Element] = set()
    forms = root.find(".//form") is not None
    structured = _structured(body) | (_leading(container) if container is not None else set())
    for element in root.iter(*_TEXT_TAGS) if starts is None else starts:
        if element in body and element not in structured:
            continue  # the article's own lines (not even read: reading long texts costs)
        own = element.text
        if not own:
            continue
        first = own.lstrip()[:1]
        if not first or (first not in FIRST_CHARS and first not in _INVISIBLE):
            continue
        tag = element.tag
        if tag == "a" or not isinstance(tag, str) or tag in _SKIP_TAGS or element in consumed:
            continue
        if not _may_start_label(own):
            continue
        found = _label_element(element, own)
        if found is None:
            continue
        holder, full, (label, _colon, rest) = found
        in_body = holder in body
        if in_body and holder not in structured and _structure(holder) is None:
            continue  # a line of the article that starts like a label is text, not metadata
        if _in_link_or_form(holder, forms):
            continue
        if squeeze(rest):
            consumed.update(holder.iter())
            for pair_label, pair_text in split_pairs(label, rest):
                _add(block, Hit(pair_label, _value(pair_text), holder, None, in_body))
            continue
        top = _label_only_top(holder, full)
        consumed.update(top.iter())
        value, value_element, tail = _beside(top)
        if tail is not None:
            for pair_label, pair_text in split_pairs(label, tail):
                _add(block, Hit(pair_label, _value(pair_text), top, None, in_body))
            continue
        if value_element is not None:
            consumed.update(value_element.iter())
        _add(block, Hit(label, value, top, value_element, in_body))
    return block


_PROSE_RE = re.compile("[，。；！？]")
_LEADING_LINES = 12
_BLOCKISH = frozenset(("p", "div", "li", "ul", "ol", "table", "tbody", "tr", "td", "section", "dl"))


def _leading(container: etree._Element) -> set[etree._Element]:
    """The lines at the very top of the body, before its first sentence, when two of them or more
    start with a strong label: a block typed into the body (``<p>索引号：…</p><p>发布机构：…</p>``).
    Below the first sentence a line that starts like a label is the article's own text."""
    lines: list[etree._Element] = []
    for element in container.iter("p", "div", "li", "span", "font", "b", "strong", "td"):
        if element is container or any(child.tag in _BLOCKISH for child in element):
            continue  # a wrapper: its lines are looked at one by one
        text = text_of(element)
        squeezed = squeeze(text)
        if not squeezed:
            continue
        parsed = match_label(text)
        if parsed is None:
            if _PROSE_RE.search(text) or len(squeezed) > 40:
                break  # the article begins
            continue
        lines.append(element)
        if len(lines) >= _LEADING_LINES:
            break
    strong = {match_label(text_of(el))[0] for el in lines} - WEAK  # type: ignore[index]
    if len(strong) < 2:
        return set()
    found: set[etree._Element] = set()
    for element in lines:
        found.update(element.iter())
    return found


def _structured(body: Collection[etree._Element]) -> set[etree._Element]:
    """The body's elements inside a table, list or definition list (where a block may sit)."""
    found: set[etree._Element] = set()
    for element in body:
        if element.tag in _STRUCTURES and element not in found:
            found.update(element.iter())
    return found


def _add(block: Block, hit: Hit) -> None:
    block.hits.append(hit)
    if hit.value is not None and hit.label not in WEAK and hit.label in LABEL_FIELD:
        block.strong = True
    if hit.value is not None and hit.label not in block.values:
        block.values[hit.label] = hit.value


def fields_from_block(block: Block) -> dict[str, str]:
    return block.fields()
