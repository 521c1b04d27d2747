"""``ConfigError``: every problem of a configuration, each naming its file, line and key.

One error may carry several :class:`Issue` s (a file is checked whole, not up to its first mistake);
``str()`` gives one ``FILE:LINE: KEY.PATH: message`` line per issue, and ``source``/``line``/``key``/
``message`` are those of the first. ``At`` is the cursor that knows where in which file a value was
written (``crawler.config.yamlines`` keeps the lines).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem: where (file, line, key path) and what; ``choices`` are the keys or values that
    would have been accepted there, when there is such a list, and ``given`` what was written instead:
    ``str()`` then ends with the closest choice (``did you mean `download_delay`?``)."""

    message: str
    source: str | None = None
    line: int | None = None
    key: str = ""
    choices: tuple[str, ...] = ()
    given: str | None = None

    @property
    def suggestion(self) -> str | None:
        return suggest(self.given, self.choices) if self.given is not None else None

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "") + ": "
        text = where + (f"{self.key}: " if self.key else "") + self.message
        if self.suggestion:
            text += f" — did you mean `{self.suggestion}`?"
        return text


def suggest(given: str, choices: Iterable[str]) -> str | None:
    """The choice ``given`` was most likely meant to be (a typo, another case, ``-`` for ``_``), or None."""
    options = [c for c in choices if c != given]
    if not options or not given:
        return None
    folded = {c.lower().replace("-", "_"): c for c in options}
    key = given.strip().lower().replace("-", "_").replace(" ", "_")
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


class ConfigError(ValueError):
    """A configuration problem, or several; ``str()`` reads ``FILE:LINE: KEY.PATH: message`` per line."""

    def __init__(
        self,
        message: str = "",
        source: str | None = None,
        line: int | None = None,
        key: str = "",
        *,
        issues: Iterable[Issue] = (),
    ):
        self.issues = list(issues) or [Issue(message, source, line, key)]
        first = self.issues[0]
        self.message, self.source, self.line, self.key = first.message, first.source, first.line, first.key
        super().__init__("\n".join(str(i) for i in self.issues))


def _line_of(container: object, key: object, attr: str) -> int | None:
    lines = getattr(container, attr, None)
    if isinstance(lines, dict):
        return lines.get(key)
    if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return None


@dataclass(frozen=True)
class At:
    """Where a value sits: the file, its key path (``sites[0].columns[1].kind``) and its line."""

    source: str
    path: str = ""
    line: int | None = None

    def key(self, mapping: object, name: str) -> At:
        line = _line_of(mapping, name, "value_lines") or getattr(mapping, "line", None) or self.line
        return At(self.source, f"{self.path}.{name}" if self.path else str(name), line)

    def item(self, seq: object, index: int) -> At:
        line = _line_of(seq, index, "item_lines") or getattr(seq, "line", None) or self.line
        return At(self.source, f"{self.path}[{index}]", line)

    def issue(self, message: str, choices: tuple[str, ...] = (), given: str | None = None) -> Issue:
        return Issue(message, self.source, self.line, self.path, choices, given)
