"""The normalizer's one pass: decode, parse, read metadata, find the body, classify, hash."""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from crawler.model import Release

from . import body as body_mod
from .classify import Signals, classify, count_dated_links, signals_from
from .crumbs import breadcrumb
from .dates import parse_date, parse_datetime
from .decode import decode_html
from .disclosure import fields_from_block, read_block
from .dom import Index, parse, strip_invisible, text_of
from .hashing import content_hash
from .links import ATTACHMENT_BLOCK_MARKS, base_url, collect, has_attachment_block
from .meta import page_title, read_meta
from .text import clean
from .turns import split_turns

NORMALIZER_VERSION = 1


def _not_release(url: str, reason: str, encoding: str | None) -> Release:
    return Release(
        kind="not_release",
        url=url,
        not_release_reason=reason,
        encoding=encoding,
        normalizer_version=NORMALIZER_VERSION,
    )


def normalize(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> Release:
    """The normalized :class:`Release` of one fetched page (see DESIGN.md, "The normalized release")."""
    if not body or not body.strip():
        return _not_release(url, "empty", None)
    try:
        text, encoding = decode_html(body, headers)
    except Exception:  # noqa: BLE001 - a decoder bug must not take a crawl down
        text, encoding = body.decode("utf-8", errors="replace"), "utf-8"
    root = parse(text)
    if root is None:
        return _not_release(url, "empty", encoding)
    try:
        return _from_tree(root, text, url, encoding)
    except RecursionError:
        return _not_release(url, "unknown", encoding)


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
    block, _seen = read_block(root, exclude=in_body)
    fields = fields_from_block(block)
    crumbs = breadcrumb(root, exclude=in_body)
    base = base_url(root, url)

    paragraphs: list[str] = []
    anchors: list[etree._Element] = []
    if container is not None:
        body_mod.remove_boilerplate(container)
        anchors = list(container.iter("a"))
    blocks = index().containing(*ATTACHMENT_BLOCK_MARKS) if has_attachment_block(raw) else []
    for element in blocks:
        if element not in in_body:
            anchors.extend(a for a in element.iter("a") if a not in in_body)
    attachments, links = collect(anchors, base)
    if container is not None:
        paragraphs = body_mod.paragraphs(container)  # marks block boundaries in the tree: last

    signals = Signals(
        has_block=bool(block),
        known_body=found.source not in ("generic", "none"),
        article_meta="title" in meta,
        body_chars=sum(len(p) for p in paragraphs),
        page_text=lambda: _visible_text(root),
        has_password=has_password,
        dated_links=count_dated_links(root) if not block and found.source in ("generic", "none") else 0,
        raw_records=records,
    )
    reason = classify(signals)
    if reason is not None:
        release = _not_release(url, reason, encoding)
        release.title = meta.get("title") or page_title(root, meta.get("site_name"))
        release.site_name = meta.get("site_name")
        return release

    site_name = meta.get("site_name")
    written = parse_date(fields.get("written_date"))
    published = parse_datetime(meta.get("published_at")) or parse_datetime(fields.get("published_at"))
    release = Release(
        kind="release",
        url=url,
        index_no=fields.get("index_no"),
        title=fields.get("title") or meta.get("title") or page_title(root, site_name),
        publisher=fields.get("publisher") or meta.get("publisher") or fields.get("source"),
        written_date=written,
        published_at=published,
        doc_number=fields.get("doc_number"),
        category=fields.get("category"),
        validity=fields.get("validity"),
        unified_no=fields.get("unified_no"),
        site_name=site_name,
        column=meta.get("column"),
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


def _visible_text(root: etree._Element) -> str:
    body = root.find("body")
    return clean(text_of(body if body is not None else root)) or ""
