"""The list region of a static column page: the rows of the column, and nothing around them.

A column page carries links in the detail form everywhere — a guide link in the header, a scrolling
notice bar, sidebar boxes, "hot" lists, footer links — often as many as the list itself. The list is
found by its structure, not by its links:

1. **Candidates** are links in a detail form (``tYYYYMMDD_id.html``, ``content_id.htm``, ``post_id``,
   ``art_col_id``), outside ``<marquee>``, ``<header>``, ``<footer>``, ``<nav>``, ``<aside>`` and
   client-side template rows (``ms-repeat``, ``v-for``, ``{{…}}``).
2. **Rows**: each candidate climbs to the largest ancestor holding no other candidate, stopping below
   a list element (``ul``/``ol``/``dl``/``table``/``tbody``): an ``li``, a ``tr``, a ``div.item``.
   The row's parent is its **container**; containers that are siblings of one tag and class (a list
   split into several ``<ul>``\\ s or one ``<table>`` per row) form one **cluster**.
3. **The list** is the cluster that sits with the pager: sharing the deepest ancestor with a pager
   node (the ``<script>`` calling ``createPageHTML``, ``countPage``, ``pageChnlInfo``…, a pager
   ``div``, the ``index_N`` links), then preceding it, then nearest to it, then the largest. Without a
   pager, the largest cluster (then the one with most dated rows). A cluster whose container path was
   the list on the column's previous page is taken first.
4. **Items** are the cluster's rows in page order: its detail links, and — in sibling rows of the same
   tag and class — links of other forms (an attachment, another site's page), never pager, "more" or
   column links.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from crawler.profiles.base import ListItem
from crawler.profiles.rows import row_item, texts

DETAIL = re.compile(
    r"(?:^|/)(?:t(?:19|20)\d{6}_\d+|content_\d+|post_\d+|art_\d+_\d+)\.s?html?$",
    re.IGNORECASE,
)
#: continuation pages of a long TRS article (``t20220914_123_1.html``), and list pages
_NOT_ITEM = re.compile(
    r"(?:(?:^|/)t(?:19|20)\d{6}_\d+_\d+\.s?html?|(?:^|/)index(?:_\d+)?\.\w+|/)$", re.IGNORECASE
)
_PAGER_WORDS = frozenset(
    {
        "首页",
        "上一页",
        "下一页",
        "上页",
        "下页",
        "尾页",
        "末页",
        "更多",
        "more",
        "更多>>",
        "更多>",
        "返回",
        "返回顶部",
    }
)
_FURNITURE_TAGS = frozenset({"marquee", "header", "footer", "nav", "aside"})
_TEMPLATE_ATTRS = ("ms-repeat", "ms-for", "v-for", "ng-repeat", "x-for")
_ROW_STOP = frozenset({"ul", "ol", "dl", "table", "tbody", "thead", "tfoot", "body", "html", "form"})
_PAGER_CLASS = re.compile(
    r"(?:^|[\s_-])(?:page|pages|pager|pagination|pagebar|page_div|pagenav|paging|fenye|fanye|turnpage)(?:$|[\s_-])",
    re.IGNORECASE,
)
_PAGER_SCRIPT = re.compile(
    r"(?<![\w.$])(?<!function )createPageHTML\s*\(|\bcountPage\s*=|\bpageChnlInfo\b|\blistModel\s*\(|"
    r"(?<![\w.$])Pager\s*\(\s*\{|\bmaxStaticIndex\b",
)
_CRUMB = re.compile(r"(?:当前|您的|你的|所在|您现在的|你现在的)位置|当前栏目")
_PAGER_HREF = re.compile(r"(?:^|/)index_\d+\.\w+$", re.IGNORECASE)
_MAX_PAGER_SIZE = 80  # elements: a pager is small; a page wrapper with "page" in its class is not
#: id/class words of page furniture: a cluster under one loses to any cluster under none
_FURNITURE_MARKS = re.compile(
    r"(?:^|[\s_-])(?:foot|footer|bottom|copyright|banquan|marquee|scroll|gundong|topbar|header|nav|navbar|"
    r"menu|sidebar|aside|breadcrumb|crumb|position|weizhi|dqwz|friendlink|yqlj)(?:$|[\s_-])",
    re.IGNORECASE,
)


@dataclass
class Cluster:
    containers: list[etree._Element]
    anchors: list[etree._Element] = field(default_factory=list)
    rows: list[etree._Element] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len({a.get("href", "").strip() for a in self.anchors})


def _path(href: str) -> str:
    return urlsplit(href.strip()).path


def is_detail(href: str | None) -> bool:
    return bool(href) and DETAIL.search(_path(href or "")) is not None and "{{" not in (href or "")


def _in_furniture(el: etree._Element) -> bool:
    for anc in el.iterancestors():
        if anc.tag in _FURNITURE_TAGS or any(anc.get(a) is not None for a in _TEMPLATE_ATTRS):
            return True
    return False


def _is_template(anchor: etree._Element) -> bool:
    href = anchor.get("href") or ""
    return "{{" in href or "${" in href or any(anchor.get(a) is not None for a in _TEMPLATE_ATTRS)


def candidates(root: etree._Element) -> list[etree._Element]:
    return [
        a for a in root.iter("a") if is_detail(a.get("href")) and not _is_template(a) and not _in_furniture(a)
    ]


def _counts(anchors: Iterable[etree._Element]) -> Counter:
    """How many distinct item URLs each element holds (an image link and a title link to one
    release count once)."""
    seen: dict[etree._Element, set[str]] = {}
    for a in anchors:
        href = (a.get("href") or "").strip()
        for anc in a.iterancestors():
            seen.setdefault(anc, set()).add(href)
    return Counter({el: len(hrefs) for el, hrefs in seen.items()})


def row_of(anchor: etree._Element, counts: Counter) -> etree._Element:
    el = anchor
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in _ROW_STOP or counts[parent] > 1:
            return el
        el = parent


def _signature(el: etree._Element) -> tuple[str, str]:
    return (str(el.tag), " ".join(sorted((el.get("class") or "").split())))


def path_signature(el: etree._Element) -> str:
    """``html/body/div.main/div.right/ul.list``: where a container sits, by tags and classes."""
    parts = [_signature(a) for a in reversed(list(el.iterancestors()))] + [_signature(el)]
    return "/".join(tag + ("." + cls.replace(" ", ".") if cls else "") for tag, cls in parts)


def clusters(root: etree._Element, anchors: list[etree._Element] | None = None) -> list[Cluster]:
    anchors = candidates(root) if anchors is None else anchors
    counts = _counts(anchors)
    by_container: dict[etree._Element, Cluster] = {}
    for anchor in anchors:
        row = row_of(anchor, counts)
        container = row.getparent()
        if container is None:
            continue
        cluster = by_container.setdefault(container, Cluster(containers=[container]))
        cluster.anchors.append(anchor)
        cluster.rows.append(row)
    merged: dict[tuple, Cluster] = {}
    out: list[Cluster] = []
    for container, cluster in by_container.items():
        parent = container.getparent()
        key = (parent, _signature(container))
        if parent is not None and key in merged:
            into = merged[key]
            into.containers.append(container)
            into.anchors.extend(cluster.anchors)
            into.rows.extend(cluster.rows)
            continue
        merged[key] = cluster
        out.append(cluster)
    return out


def pager_nodes(root: etree._Element, ids: Iterable[str] = ()) -> list[etree._Element]:
    """Elements that are (part of) the column's pager (``ids``: elements the pager script fills)."""
    found: list[etree._Element] = []
    for pager_id in ids:
        found.extend(el for el in root.iter() if isinstance(el.tag, str) and el.get("id") == pager_id)
    for script in root.iter("script"):
        if script.text and _PAGER_SCRIPT.search(script.text):
            found.append(script)
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "html", "body"):
            continue
        marks = f"{el.get('id') or ''} {el.get('class') or ''}"
        if _PAGER_CLASS.search(marks) and _small_pager(el):
            found.append(el)
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        text = (texts(anchor) or "").strip()
        if _PAGER_HREF.search(_path(href)) or text in ("下一页", "尾页", "末页", "下页"):
            parent = anchor.getparent()
            if parent is not None and parent not in found:
                found.append(parent)
    return found


def template_nodes(root: etree._Element) -> list[etree._Element]:
    """Rows a script fills in the browser (``<li ms-repeat="list"><a ms-attr-href="el.url">``): where
    the list is drawn, its static rows sit too."""
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and any(el.get(a) is not None for a in _TEMPLATE_ATTRS)
        and (el.tag == "a" or next(el.iter("a"), None) is not None)
    ]


def crumb_nodes(root: etree._Element) -> list[etree._Element]:
    """The "当前位置：首页 > …" breadcrumb, which sits above the column's own list."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "head"):
            continue
        if el.text and _CRUMB.search(el.text):
            found.append(el)
        elif el.tail and _CRUMB.search(el.tail) and el.getparent() is not None:
            found.append(el.getparent())
    return found


def _small_pager(el: etree._Element) -> bool:
    for size, node in enumerate(el.iter(), start=1):
        if size > _MAX_PAGER_SIZE:
            return False
        if node.tag == "a" and is_detail(node.get("href")):
            return False
    return True


class _Layout:
    """Document order and ancestor chains, computed once per page."""

    def __init__(self, root: etree._Element) -> None:
        self.pos = {el: i for i, el in enumerate(root.iter())}

    def end(self, el: etree._Element) -> int:
        last = el
        for last in el.iter():  # noqa: B007 - the last descendant in document order
            pass
        return self.pos.get(last, self.pos[el])

    @staticmethod
    def chain(el: etree._Element) -> list[etree._Element]:
        return [*reversed(list(el.iterancestors())), el]

    def shared_depth(self, a: etree._Element, b: etree._Element) -> int:
        depth = 0
        for x, y in zip(self.chain(a), self.chain(b), strict=False):
            if x is not y:
                break
            depth += 1
        return depth


def _near(cluster: Cluster, marks: list[etree._Element], layout: _Layout) -> int:
    """How deep the cluster's container and the nearest of ``marks`` share an ancestor."""
    return max((layout.shared_depth(c, m) for c in cluster.containers for m in marks), default=0)


def _near_pager(cluster: Cluster, pagers: list[etree._Element], layout: _Layout) -> tuple[int, int, int]:
    first = min(layout.pos[a] for a in cluster.anchors)
    last = max(layout.end(r) for r in cluster.rows)
    best = (0, 0, -(10**9))
    for pager in pagers:
        depth = max(layout.shared_depth(c, pager) for c in cluster.containers)
        start = layout.pos[pager]
        if start > last:
            score = (depth, 1, -(start - last))
        else:
            score = (depth, 0, -abs(first - layout.end(pager)))
        best = max(best, score)
    return best


def _marked(cluster: Cluster) -> bool:
    """The cluster sits in an element named like page furniture (``div.footer``, ``div.sidebar``…)."""
    for anc in [cluster.containers[0], *cluster.containers[0].iterancestors()]:
        if anc.tag in ("body", "html"):
            break
        if _FURNITURE_MARKS.search(f"{anc.get('id') or ''} {anc.get('class') or ''}"):
            return True
    return False


def _dated(cluster: Cluster) -> int:
    from crawler.profiles.dates import find_date

    return sum(1 for row in cluster.rows if find_date(texts(row)))


def choose(
    found: list[Cluster],
    pagers: list[etree._Element],
    layout: _Layout,
    remembered: str | None = None,
    crumbs: list[etree._Element] | None = None,
    templates: list[etree._Element] | None = None,
) -> Cluster | None:
    if not found:
        return None
    plain = [c for c in found if not _marked(c)]
    found = plain or found
    if remembered:
        same = [c for c in found if path_signature(c.containers[0]) == remembered]
        if same:
            return max(same, key=lambda c: c.size)
    crumbs, templates = crumbs or [], templates or []

    def score(c: Cluster) -> tuple:
        depth, precedes, gap = _near_pager(c, pagers, layout)
        drawn = _near(c, templates, layout)
        return (drawn, depth, _near(c, crumbs, layout), precedes, gap, c.size, _dated(c))

    if pagers:
        return max(found, key=score)
    return max(
        found, key=lambda c: (_near(c, templates, layout), c.size, _near(c, crumbs, layout), _dated(c))
    )


def _item_link(anchor: etree._Element) -> bool:
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")) or _is_template(anchor):
        return False
    if _NOT_ITEM.search(_path(href)) or _path(href) in ("", "."):
        return False
    text = re.sub(r"\s+", "", texts(anchor) or "") or (anchor.get("title") or "").strip()
    words = re.sub(r"[\W\d_]", "", text)  # page numbers, arrows and brackets are not titles
    return len(words) >= 2 and text.lower() not in _PAGER_WORDS


def _best_anchor(row: etree._Element) -> etree._Element | None:
    links = [a for a in ([row] if row.tag == "a" else row.iter("a")) if _item_link(a)]
    if not links:
        return None
    return max(links, key=lambda a: len(re.sub(r"\s+", "", (a.get("title") or "") + (texts(a) or ""))))


def items(cluster: Cluster, base: str) -> list[ListItem]:
    """The cluster's items in page order (see the module docstring, step 4)."""
    row_of_anchor = dict(zip(cluster.anchors, cluster.rows, strict=True))
    rows_with: dict[etree._Element, list[etree._Element]] = {}
    for anchor, row in row_of_anchor.items():
        rows_with.setdefault(row, []).append(anchor)
    shape = Counter(_signature(r) for r in cluster.rows).most_common(1)[0][0]
    extend = shape[0] != "a"
    picked: list[tuple[etree._Element, etree._Element]] = []
    for container in cluster.containers:
        for child in container:
            if not isinstance(child.tag, str):
                continue
            if child in rows_with:
                picked.extend((child, a) for a in rows_with[child])
            elif extend and _signature(child) == shape and not _in_furniture(child):
                anchor = _best_anchor(child)
                if anchor is not None:
                    picked.append((child, anchor))
    out: list[ListItem] = []
    seen: dict[str, int] = {}
    for row, anchor in picked:
        item = row_item(row, anchor, base)
        if item is None:
            continue
        if item.url in seen:  # an image link and a title link to one release: keep the titled one
            kept = out[seen[item.url]]
            if not kept.title and item.title:
                kept.title = item.title
            continue
        seen[item.url] = len(out)
        out.append(item)
    return out


@dataclass
class Region:
    items: list[ListItem]
    signature: str | None


def read_region(
    root: etree._Element, base: str, remembered: str | None = None, pager_ids: Iterable[str] = ()
) -> Region:
    """The list's items on a static column page (empty when the page has no candidate links)."""
    layout = _Layout(root)
    pagers, crumbs, templates = pager_nodes(root, pager_ids), crumb_nodes(root), template_nodes(root)
    chosen = choose(clusters(root), pagers, layout, remembered, crumbs, templates)
    if chosen is None:
        return Region(items=[], signature=None)
    return Region(items=items(chosen, base), signature=path_signature(chosen.containers[0]))
