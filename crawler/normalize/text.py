"""Small text helpers shared by the normalizer: whitespace, zero-width characters, labels."""

from __future__ import annotations

import re

#: zero-width and invisible formatting characters (also used to hide injected text)
ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
#: HTML source whitespace (what a browser collapses); U+3000 and NBSP are published text
_SOURCE_WS_RE = re.compile(r"[ \t\r\n\f\v]+")


def collapse(text: str) -> str:
    """Collapse HTML source whitespace to single spaces, as a browser renders it."""
    if "\n" in text or "\t" in text or "\r" in text or "  " in text or "\f" in text or "\v" in text:
        return _SOURCE_WS_RE.sub(" ", text)
    return text


def has_zero_width(text: str) -> bool:
    """Faster than a regex search on long CJK text."""
    return any(char in text for char in ZERO_WIDTH)


def fold_all(texts: list[str]) -> list[str]:
    """``fold`` of each text, checking the whole list for zero-width characters only once."""
    if has_zero_width("".join(texts)):
        return [fold(text) for text in texts]
    return [" ".join(text.split()) for text in texts]


def drop_zero_width(text: str) -> str:
    return _ZERO_WIDTH_RE.sub("", text) if _ZERO_WIDTH_RE.search(text) else text


def clean(text: str | None) -> str | None:
    """A field value as published: source whitespace collapsed, trimmed; None when empty."""
    if text is None:
        return None
    value = collapse(text).strip()
    if not drop_zero_width(value).strip():
        return None
    return value


def fold(text: str) -> str:
    """The comparison form: zero-width characters dropped, whitespace runs (U+3000, NBSP …) folded."""
    return " ".join(drop_zero_width(text).split())


def compact(text: str) -> str:
    """All whitespace and zero-width characters removed (for matching labels and markers)."""
    return "".join(drop_zero_width(text).split())
