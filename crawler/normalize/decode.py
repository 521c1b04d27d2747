"""Bytes → text for government pages: BOM, then the HTTP header, then ``<meta charset>``, then detection.

gb2312/gbk labels decode as GB18030 (a superset); a label that does not fit the bytes (GBK served as
UTF-8) is not trusted; nothing ever falls back to Latin-1.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

#: labels read as a superset that decodes everything the label promises and more
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-8859-1": "cp1252",  # a Latin-1 label on a Chinese page is a lie; see _acceptable
    "latin-1": "cp1252",
}
_LATIN = {"cp1252", "iso8859-1", "latin-1", "windows-1252", "iso-8859-1"}
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def canonical(label: str | None) -> str | None:
    """Python codec name for a charset label, with gb2312/gbk read as gb18030; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    resolved = resolve_encoding(label)
    if not resolved:
        try:
            resolved = codecs.lookup(label).name
        except LookupError:
            return None
    resolved = _SUPERSETS.get(resolved, resolved)
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _acceptable(text: str, encoding: str) -> bool:
    """A Latin-family decode of bytes that hold CJK text is mojibake: reject it."""
    if codecs.lookup(encoding).name not in _LATIN:
        return True
    high = sum(1 for ch in text if "\u0080" <= ch <= "\u00ff")
    return high == 0


def _detect(body: bytes) -> str | None:
    best = from_bytes(body[:200_000]).best()
    if best is None:
        return None
    return canonical(best.encoding)


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``; ``encoding`` is the Python codec name actually used."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        enc = canonical(bom_encoding) or "utf-8"
        return body[len(bom) :].decode(enc, errors="replace"), enc

    candidates: list[str] = []
    header_enc = canonical(http_content_type_encoding(_header(headers, "content-type") or ""))
    if header_enc:
        candidates.append(header_enc)
    meta_enc = canonical(html_body_declared_encoding(body[:8192]))
    if meta_enc and meta_enc not in candidates:
        candidates.append(meta_enc)
    for enc in candidates:
        text = _strict(body, enc)
        if text is not None and _acceptable(text, enc):
            return text, enc
    # Labels absent or wrong: UTF-8 first (strict decode is a strong test), then GB18030, then detection.
    for enc in ("utf-8", "gb18030"):
        text = _strict(body, enc)
        if text is not None and (enc == "utf-8" or _CJK_RE.search(text)):
            return text, enc
    detected = _detect(body)
    if detected and detected not in _LATIN:
        text = _strict(body, detected)
        if text is not None:
            return text, detected
    # Damaged bytes: keep the best-declared reading with replacement characters, never Latin-1.
    enc = next((c for c in candidates if c not in _LATIN), None) or _best_lossy(body)
    return body.decode(enc, errors="replace"), enc


def _best_lossy(body: bytes) -> str:
    """Of UTF-8 and GB18030, the one that needs fewer replacement characters."""
    utf8 = body.decode("utf-8", errors="replace").count("\ufffd")
    gb = body.decode("gb18030", errors="replace").count("\ufffd")
    return "utf-8" if utf8 <= gb else "gb18030"
