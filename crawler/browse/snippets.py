"""Search results a person can read: a window of the stored body around the first word searched for,
and the words marked in it.

The full-text index holds character bigrams (``crawler.store.search``), so its own ``snippet()`` would
show ``衢州 州市 市数``; these work on the stored text instead. Pure functions: ``snippet`` is also a
SQL function of the plugin (``govwatch_snippet(body, q)``), ``highlight`` a template filter.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

#: characters of context shown before and after the first match
BEFORE, AFTER = 30, 90
#: the longest stored text looked at (a SQL function must stay bounded)
MAX_TEXT = 200_000
_SPACE = re.compile(r"\s+")


def words(query: str | None) -> list[str]:
    """The words typed, longest first (so 数字化改革 is marked before 改革), without duplicates."""
    seen = {w for w in (query or "").split() if w.strip()}
    return sorted(seen, key=lambda w: (-len(w), w))


def _pattern(query: str | None) -> re.Pattern[str] | None:
    found = words(query)
    if not found:
        return None
    return re.compile("|".join(re.escape(w) for w in found), re.IGNORECASE)


def snippet(text: str | None, query: str | None, before: int = BEFORE, after: int = AFTER) -> str:
    """``…context around the first word searched for…`` (whitespace folded); the text's start when no
    word occurs in it."""
    body = _SPACE.sub(" ", (text or "")[:MAX_TEXT]).strip()
    if not body:
        return ""
    pattern = _pattern(query)
    match = pattern.search(body) if pattern else None
    start = max(0, match.start() - before) if match else 0
    end = min(len(body), (match.end() if match else 0) + after)
    out = body[start:end]
    return ("…" if start > 0 else "") + out + ("…" if end < len(body) else "")


def highlight(text: str | None, query: str | None) -> Markup:
    """``text`` escaped, each word searched for wrapped in ``<mark>``."""
    text = text or ""
    pattern = _pattern(query)
    if not pattern:
        return escape(text)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(str(escape(text[pos : m.start()])))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))
