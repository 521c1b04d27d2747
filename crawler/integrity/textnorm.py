"""A matching copy of page text that undoes common look-alike tricks.

``fold`` gives the *plain* copy: NFKC (full-width ｂｅｔ３６５ → bet365, ，→ ,), case-folded, zero-width and
other invisible format characters removed, pinyin in parentheses after a Chinese character dropped
(日(rì)博(bó) → 日博). ``squeeze`` then keeps letters and digits only, so characters split by spaces or
punctuation rejoin (3 6 5 b e t → 365bet), with a map back into the plain copy for evidence.
The published text itself is never changed; this is only what the lexicon is matched against.
"""

from __future__ import annotations

import re
import unicodedata

# zero-width and invisible characters used to split words (U+200B…U+200F, U+2060…U+2064, BOM, soft
# hyphen, Mongolian vowel separator, combining grapheme joiner)
_INVISIBLE = re.compile("[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_SYLLABLE = rf"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?[aeiouv{_TONED}]{{1,3}}(?:ng|n|r)?[1-5]?"
_PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])\(\s*{_SYLLABLE}(?:\s+{_SYLLABLE})*\s*\)")


def fold(text: str) -> str:
    """The plain matching copy (same length semantics as the published text is NOT kept)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INVISIBLE.sub("", text)
    if "(" in text:
        text = _PINYIN.sub("", text)
    return text


def original_map(text: str) -> tuple[str, list[int]] | None:
    """``fold(text)`` built character by character, with each folded character's index in ``text``.

    None when the per-character fold differs from ``fold`` (rare composed sequences): callers then
    quote the folded copy instead of the published text.
    """
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for f in unicodedata.normalize("NFKC", ch).casefold():
            if not _INVISIBLE.match(f):
                chars.append(f)
                where.append(i)
    folded = "".join(chars)
    if "(" in folded:
        keep = [True] * len(folded)
        for m in _PINYIN.finditer(folded):
            keep[m.start() : m.end()] = [False] * (m.end() - m.start())
        folded = "".join(c for c, k in zip(folded, keep, strict=True) if k)
        where = [w for w, k in zip(where, keep, strict=True) if k]
    return (folded, where) if folded == fold(text) else None


_NOT_ALNUM = re.compile(r"[\W_]+")
_ALNUM = re.compile(r"[^\W_]")


class Squeezed:
    """``plain`` (folded) and ``text`` (its letters and digits only), with a lazy map between them."""

    __slots__ = ("plain", "text", "_index")

    def __init__(self, plain: str):
        self.plain = plain
        self.text = _NOT_ALNUM.sub("", plain)
        self._index: list[int] | None = None

    @property
    def index(self) -> list[int]:
        """index[i] = position in ``plain`` of ``text[i]``."""
        if self._index is None:
            self._index = [m.start() for m in _ALNUM.finditer(self.plain)]
        return self._index

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Plain-copy span of squeezed ``[start, end)``."""
        index = self.index
        if not index:
            return 0, 0
        start = min(start, len(index) - 1)
        end = min(max(start + 1, end), len(index))
        return index[start], index[end - 1] + 1


def squeeze(text: str) -> Squeezed:
    return Squeezed(fold(text))
