"""The comparison form of a text: what a faithful copy of a page may change, folded away — and nothing
else (docs/ARCHITECTURE.md, "Verifying a copy").

- whitespace of any kind (source line breaks, U+3000, NBSP) and zero-width characters: removed;
- full-width and half-width forms (，/, ：/: （/( ０/0 Ａ/A ｡/。 ￥/¥): folded to one form;
- a visit counter's number (浏览次数：1234, 阅读量 56): folded to ``#``.

Everything else — a character, a name, a sentence, punctuation that is not merely of another width —
is content: it must be equal.
"""

from __future__ import annotations

import re

from crawler.normalize.text import drop_zero_width

#: full-width ASCII forms (U+FF01–FF5E) → ASCII; half-width CJK punctuation → full; full-width signs
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH.update(
    {
        0xFF5F: 0x2985,  # ｟
        0xFF60: 0x2986,  # ｠
        0xFF61: 0x3002,  # ｡ → 。
        0xFF62: 0x300C,  # ｢ → 「
        0xFF63: 0x300D,  # ｣ → 」
        0xFF64: 0x3001,  # ､ → 、
        0xFFE0: 0x00A2,  # ￠
        0xFFE1: 0x00A3,  # ￡
        0xFFE2: 0x00AC,  # ￢
        0xFFE3: 0x00AF,  # ￣
        0xFFE4: 0x00A6,  # ￤
        0xFFE5: 0x00A5,  # ￥
        0xFFE6: 0x20A9,  # ￦
    }
)
_COUNTER = re.compile(
    r"(浏览次数|浏览量|访问次数|访问量|阅读次数|阅读量|阅读数|点击次数|点击数|点击量|点击率|浏览|阅读|点击|访问)"
    r"([:]?)\d+(次?)"
)


def fold(text: str | None) -> str:
    """The comparison form of ``text`` ('' for None)."""
    if not text:
        return ""
    folded = "".join(drop_zero_width(text).translate(_WIDTH).split())
    return _COUNTER.sub(r"\1\2#\3", folded) if any(c.isdigit() for c in folded) else folded


def same(a: str | None, b: str | None) -> bool:
    return fold(a) == fold(b)
