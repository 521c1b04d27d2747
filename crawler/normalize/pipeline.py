"""The normalizer's one pass: decode, parse, read metadata, find the body, classify, hash."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from lxml import etree

from crawler.model import Release

from . import body as body_mod
from .challenge import challenge_reason
from .classify import Signals, classify, count_dated_links, signals_from
from .crumbs import breadcrumb
from .dateline import date_line
from .dates import parse_date, parse_datetime
from .disclosure import read_block
from .document import Document
from .dom import Index, drop, strip_invisible, text_of
from .hashing import content_hash
from .links import ATTACHMENT_BLOCK_MARKS, base_url, collect, has_attachment_block
from .meta import read_meta
from .text import clean
from .title import from_page_title, heading_candidates, main_heading, page_title_text
from .turns import split_turns

#: bump whenever the normalizer (or the integrity rules) derive something else from the same page:
#: a crawl first re-derives what an older version stored (crawler/store/upgrade.py)
NORMALIZER_VERSION = 3


def _not_release(url: str, reason: str, encoding: str | None) -> Release:
    return Release(
        kind="not_release",
        url=url or None,
        not_release_reason=reason,
        encoding=encoding,
        normalizer_version=NORMALIZER_VERSION,
    )


def normalize(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> Release:
    """The normalized :class:`Release` of one fetched page (see docs/ARCHITECTURE.md, "The normalized release")."""
    return normalize_document(Document(body, headers), url, shared=False)


def normalize_document(doc: Document, url: str, *, shared: bool = True) -> Release:
    """:func:`normalize` of a :class:`Document` others read too: the normalizer changes only its own
    copy of the tree (``shared=False``: nothing else reads it, the parsed tree itself is used)."""
    body = doc.body
    if body is not None and (not body or not body.strip()):
        return _not_release(url, "empty", None)
    text, encoding = doc.text, doc.encoding or "utf-8"
    if _looks_binary(text):
        return _not_release(url, "unknown", encoding)
    root = doc.tree_to_change() if shared else doc.take_tree()
    if root is None:
        return _not_release(url, "empty", encoding)
    try:
        return _from_tree(root, text, url, encoding)
    except (RecursionError, ValueError, UnicodeError, etree.LxmlError):
        # content lxml or a codec refuses deep inside (not a programming error): not a release
        return _not_release(url, "unknown", encoding)


def _body_parts(
    container: etree._Element | None,
    in_body: set[etree._Element],
    raw: str,
    base: str,
    index: Callable[[], Index],
) -> tuple[list[str], list[dict[str, str]], list[dict[str, str]]]:
    """``(paragraphs, attachments, links)`` of the body (and of an attachment block beside it)."""
    anchors: list[etree._Element] = []
    if container is not None:
        body_mod.remove_boilerplate(container)
        anchors = list(container.iter("a"))
    if has_attachment_block(raw):
        for element in index().containing(*ATTACHMENT_BLOCK_MARKS):
            if element not in in_body:
                anchors.extend(a for a in element.iter("a") if a not in in_body)
    attachments, links = collect(anchors, base)
    # paragraphs() marks block boundaries in the tree, so it runs last
    paragraphs = body_mod.paragraphs(container) if container is not None else []
    return paragraphs, attachments, links


def _from_tree(root: etree._Element, raw: str, url: str, encoding: str) -> Release:
    has_password, records = signals_from(root, raw)
    meta = read_meta(root)
    strip_invisible(root)
    indexes: list[Index] = []  # built at most once, and only when needed

    def index() -> Index:
        if not indexes:
            indexes.append(Index(root))
        return indexes[0]

    found = body_mod.find_body(root, index)
    container = found.container
    in_body: set[etree._Element] = set(container.iter()) if container is not None else set()
    block = read_block(root, body=in_body, container=container)
    fields = block.fields()
    crumbs = breadcrumb(root, exclude=in_body)
    site_name = meta.get("site_name")
    column = meta.get("column")
    page_title = page_title_text(root)
    known_title = meta.get("title") or fields.get("title")
    headings: list[tuple[etree._Element | None, str | None]] = []  # found at most once, when needed

    def heading() -> tuple[etree._Element | None, str | None]:
        if not headings:
            found_heading = main_heading(
                root,
                page_title,
                known_title,
                site_name,
                column,
                before=container,
                elements=heading_candidates(root),
            )
            headings.append(found_heading)
        return headings[0]

    title = known_title or heading()[1] or from_page_title(page_title, site_name, column, crumbs, None)
    labelled = parse_datetime(fields.get("published_at"))
    visible = labelled or date_line(root, in_body, lambda: heading()[0], container, block.elements())
    published_at = _published_at(visible, *meta.publication_dates())
    for row in block.body_rows():
        drop(row)
    paragraphs, attachments, links = _body_parts(container, in_body, raw, base_url(root, url), index)
    if published_at is None:
        published_at = _published_in_body(paragraphs)

    generic = found.source in ("generic", "none")
    signals = Signals(
        has_block=block.identity >= 2 or "index_no" in fields,
        known_body=not generic,
        article_meta="title" in meta,
        body_chars=sum(len(p) for p in paragraphs),
        page_text=lambda: _visible_text(root),
        has_password=has_password,
        dated_links=count_dated_links(root) if not block and generic else 0,
        raw_records=records,
        body_text="\n".join(paragraphs),
        attachments=len(attachments),
        images=sum(1 for _ in container.iter("img")) if container is not None and not paragraphs else 0,
    )
    reason = classify(signals)
    if reason is None:  # a captcha in the release's own template
        reason = challenge_reason(title, signals.body_text, bool(fields.get("index_no")))
    if reason is not None:
        release = _not_release(url, reason, encoding)
        release.title = title
        release.site_name = site_name
        return release

    release = Release(
        kind="release",
        url=url or None,
        index_no=fields.get("index_no"),
        title=title,
        publisher=fields.get("publisher") or meta.get("publisher"),
        written_date=parse_date(fields.get("written_date")),
        published_at=published_at,
        doc_number=fields.get("doc_number"),
        category=fields.get("category"),
        validity=fields.get("validity"),
        unified_no=fields.get("unified_no"),
        site_name=site_name,
        column=column,
        breadcrumb=crumbs,
        paragraphs=paragraphs,
        turns=split_turns(paragraphs),
        attachments=attachments,
        links=links,
        encoding=encoding,
        normalizer_version=NORMALIZER_VERSION,
    )
    release.content_hash = content_hash(release)
    return release


_PUBLISHED_LINE_RE = re.compile(
    r"^(?:.{0,40}[\s|｜])?(?:发布|公开|发表|发稿)(?:日期|时间)\s*[:：∶]\s*(.{8,40})"
)


def _published_in_body(paragraphs: list[str]) -> str | None:
    """The last resort: a "发布时间：…" line among the first lines of a body that took in its header
    (a template read by the densest-block rule). Bare 时间：/日期： lines there are a notice's own."""
    for line in paragraphs[:4]:
        if len(line) <= 120:
            match = _PUBLISHED_LINE_RE.match(line)
            if match:
                value = parse_datetime(match.group(1))
                if value:
                    return value
    return None


def _published_at(*sources: str | None) -> str | None:
    """The first source that has a date (labelled block, visible date line, metas), with the time of
    a later source that gives the same day when it has none."""
    dates = [value for value in sources if value]
    if not dates:
        return None
    first = dates[0]
    if len(first) == 10:
        for later in dates[1:]:
            if len(later) > 10 and later[:10] == first:
                return later
    return first


_BINARY_SAMPLE = 65_536


def _looks_binary(text: str) -> bool:
    """Bytes that are no text in any encoding (an image, a zip, random data served as a page)."""
    sample = text[:_BINARY_SAMPLE]
    bad = sample.count("\ufffd") + sample.count("\x00")
    return bad > max(8, len(sample) // 100)


def _visible_text(root: etree._Element) -> str:
    body = root.find("body")
    text = text_of(body if body is not None else root).replace(body_mod.BREAK, "\n")
    return clean(text) or ""
