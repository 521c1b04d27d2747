"""JavaScript literals inside list pages, read with chompjs (objects, arrays, nested, quoted or not).

Pages configure their pagers in script: ``$('#49468').jpage({..., ajaxParam: {webid: 60, ...}})``,
``var InitData49468; InitData49468 = ['<li>…</li>', …]``, ``var pageChnlInfo = {recordCount: 213, …}``.
Unquoted identifiers come back as strings (``dataStore: InitData49468`` → ``"InitData49468"``).
Every reader here returns None rather than raising on markup it cannot read.
"""

from __future__ import annotations

import re
from typing import Any

import chompjs

#: literals larger than this are not configuration (a runaway parse of a broken page)
_MAX_LITERAL = 2_000_000


def literal_at(text: str, start: int) -> Any | None:
    """The object or array literal that opens at ``text[start]`` (``{`` or ``[``), or None."""
    if start < 0 or start >= len(text) or text[start] not in "{[":
        return None
    try:
        return chompjs.parse_js_object(text[start : start + _MAX_LITERAL])
    except (ValueError, TypeError, RecursionError):
        return None


def call_argument(text: str, callee: str) -> tuple[dict, int] | None:
    """The object passed to the first ``callee({...})`` call that has one, and where the call starts."""
    for match in re.finditer(rf"(?<![\w$]){re.escape(callee)}\s*\(\s*(?=\{{)", text):
        value = literal_at(text, match.end())
        if isinstance(value, dict):
            return value, match.start()
    return None


def assigned(text: str, name: str) -> Any | None:
    """The object or array literal assigned to ``name`` (``var name = …``, ``name=…``, ``name: …``)."""
    for match in re.finditer(rf"(?<![\w$.]){re.escape(name)}\s*[=:]\s*(?=[\[{{])", text):
        value = literal_at(text, match.end())
        if value is not None:
            return value
    return None


def as_int(value: Any) -> int | None:
    """``213``, ``'213'`` or ``"213"`` → 213; anything else (expressions, template tags) → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def as_text(value: Any) -> str | None:
    """A scalar as the string a browser would send (``60`` → ``"60"``); None for objects and lists."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
