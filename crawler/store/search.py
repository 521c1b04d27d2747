"""Search helpers for Chinese text in SQLite FTS5 (docs/ARCHITECTURE.md, "Searching Chinese text in SQLite").

FTS5's ``unicode61`` tokenizer treats a run of Chinese characters as one token, so the index holds
overlapping character bigrams instead (衢州市委 → ``衢州 州市 市委``), and a query is turned into the
same bigrams as a phrase: 衢州 and 数字化改革 are both found. Runs of letters and digits stay whole
words. Both functions are pure, so the Datasette plugin can register them as SQL functions.
"""

from __future__ import annotations

import re
from operator import add

from crawler.store.prepare import BIGRAMS

# CJK ideographs (unified, extension A, compatibility) — the characters written without spaces
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: a run of Chinese characters (group 1), or a run of letters and digits (group 2)
_RUN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
_IS_CJK = re.compile(rf"[{_CJK}]")


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for chinese, word in _RUN.findall(text or ""):
        if not chinese:
            tokens.append(word.lower())
        elif len(chinese) == 1:
            tokens.append(chinese)
        else:
            tokens.extend(map(add, chinese, chinese[1:]))  # each character and the next
    return tokens


def bigrams(text: str | None) -> str:
    """The text to index: overlapping bigrams of each Chinese run, other words whole, space-separated
    (made ahead by the judging worker when it could: ``crawler.store.prepare``)."""
    if not text:
        return ""
    made = BIGRAMS.take(text)
    return made if made is not None else " ".join(_tokens(text))


def search_query(text: str | None) -> str:
    """An FTS5 MATCH expression for what a person typed: each space-separated word becomes a phrase of
    its bigrams; words are ANDed. A word ending in a lone Chinese character (``2022年``) matches it as
    a prefix of the next bigram. Empty input gives ``""`` (match nothing)."""
    phrases = []
    for word in (text or "").split():
        tokens = _tokens(word)
        if not tokens:
            continue
        phrase = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
        if len(tokens[-1]) == 1 and _IS_CJK.match(tokens[-1]):
            phrase += " *"
        phrases.append(phrase)
    return " ".join(phrases)
