"""Which links of a release are its documents: the attachment block's and the body's links
(``Release.attachments``) whose extension is a document type, on the site's hosts or its
``file_hosts`` (a ``SiteScope`` of them), each once."""

from __future__ import annotations

from crawler.model import Release
from crawler.net.urlpolicy import SiteScope
from crawler.normalize.links import file_extension

#: the extensions fetched as documents (archives, images and plain text are not)
DOCUMENT_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "ppt", "pptx", "dps"}
)


def document_links(release: Release, scope: SiteScope) -> list[dict[str, str]]:
    """``[{name, url}]`` of the release's attachments to fetch, in page order."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in release.attachments:
        url = item.get("url") or ""
        if url in seen or file_extension(url) not in DOCUMENT_EXTENSIONS:
            continue
        if not scope.admits(url):
            continue
        seen.add(url)
        out.append({"name": item.get("name") or url, "url": url})
    return out
