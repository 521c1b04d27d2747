"""``content_hash``: sha256 over exactly the fields docs/ARCHITECTURE.md names, on their folded text."""

from __future__ import annotations

import hashlib
import json

from crawler.model import Release

from .text import fold, fold_all

HASHED_FIELDS = (
    "index_no",
    "title",
    "publisher",
    "written_date",
    "published_at",
    "doc_number",
    "category",
    "validity",
    "unified_no",
)


def _folded(value: str | None) -> str | None:
    if value is None:
        return None
    return fold(value) or None


def hash_payload(release: Release) -> str:
    """The canonical JSON text that is hashed (useful to see why two hashes differ)."""
    payload: dict[str, object] = {name: _folded(getattr(release, name)) for name in HASHED_FIELDS}
    payload["paragraphs"] = [p for p in fold_all(release.paragraphs) if p]
    payload["attachments"] = [fold(a.get("name") or "") for a in release.attachments]
    # the fetched files' digests (set by the crawl): a file replaced under its link is a new version;
    # a page whose files were never fetched hashes as before
    files = [[fold(a.get("name") or ""), a["sha256"]] for a in release.attachments if a.get("sha256")]
    if files:
        payload["files"] = files
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def content_hash(release: Release) -> str:
    """``sha256:<hex>`` of the release's content; noise-free fields only."""
    digest = hashlib.sha256(hash_payload(release).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"
