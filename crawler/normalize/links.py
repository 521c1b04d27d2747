"""Links and attachments of the body, with absolute URLs."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from .dom import text_of
from .text import clean

FILE_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "wps",
        "et",
        "dps",
        "ppt",
        "pptx",
        "zip",
        "rar",
        "7z",
        "ofd",
        "txt",
        "csv",
        "ceb",
        "tif",
        "tiff",
    ]
)
_EXT_RE = re.compile(r"\.([A-Za-z0-9]{2,5})$")
_SKIP_HREF = ("javascript:", "mailto:", "tel:", "#", "data:", "about:", "vbscript:")
#: fragments of the class or id of blocks (outside the body) that list a release's attachments
ATTACHMENT_BLOCK_MARKS = ("attach", "fujian", "fjxz", "appendix", "xgfj")


def has_attachment_block(raw: str) -> bool:
    """Cheap test on the raw page before looking for attachment blocks in the tree."""
    lowered = raw.lower()
    return any(mark in lowered for mark in ATTACHMENT_BLOCK_MARKS)


def base_url(root: etree._Element, url: str) -> str:
    for element in root.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            try:
                return urljoin(url, href)
            except ValueError:  # a <base href> no parser can read: links resolve against the page
                return url
    return url


def absolute(base: str, href: str | None) -> str | None:
    """The absolute URL of an ``href``, or None for script/mail/fragment links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_SKIP_HREF):
        return None
    try:
        return urljoin(base, href) if base else href
    except ValueError:
        return None


def file_extension(url: str) -> str | None:
    """The file extension of a URL's path, or of a file name in its query (download.jsp?f=x.pdf)."""
    parts = urlsplit(url)
    for candidate in (parts.path, *parts.query.split("&")):
        match = _EXT_RE.search(unquote(candidate.split("=")[-1]))
        if match and match.group(1).lower() in FILE_EXTENSIONS:
            return match.group(1).lower()
    return None


def _name(anchor: etree._Element, url: str) -> str:
    return (
        clean(text_of(anchor))
        or clean(anchor.get("title"))
        or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        or url
    )


def collect(anchors: list[etree._Element], base: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """``(attachments [{name, url}], links [{text, url}])`` in document order, each URL once."""
    attachments: list[dict[str, str]] = []
    links: list[dict[str, str]] = []
    seen: set[str] = set()
    for anchor in anchors:
        url = absolute(base, anchor.get("href"))
        if url is None or url in seen:
            continue
        seen.add(url)
        if file_extension(url):
            attachments.append({"name": _name(anchor, url), "url": url})
        else:
            text = clean(text_of(anchor)) or clean(anchor.get("title"))
            if text:
                links.append({"text": text, "url": url})
    return attachments, links
