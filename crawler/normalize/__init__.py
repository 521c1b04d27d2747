"""bytes + URL + headers → :class:`crawler.model.Release`. Pure: no I/O, never raises on page content.

    from crawler.normalize import normalize, NORMALIZER_VERSION, content_hash
    release = normalize(body, url, headers)

Modules: ``document`` (one page decoded and parsed once, shared with the integrity rules),
``decode`` (bytes → text), ``dom`` (text → tree), ``meta`` (meta tags, title),
``disclosure`` (the labelled 信息公开 block), ``crumbs`` (breadcrumb), ``body`` (body and paragraphs),
``links`` (attachments and links), ``turns`` (Q&A), ``dates``, ``classify`` (not_release), ``hashing``.
"""

from __future__ import annotations

from .document import Document
from .errors import NormalizeError
from .hashing import content_hash
from .pipeline import NORMALIZER_VERSION, normalize, normalize_document

__all__ = [
    "NORMALIZER_VERSION",
    "Document",
    "NormalizeError",
    "content_hash",
    "normalize",
    "normalize_document",
]
