"""``ConfigError`` and the cursor that knows where in which file a value was written."""

from __future__ import annotations

from dataclasses import dataclass


class ConfigError(ValueError):
    """A configuration problem; ``str()`` reads ``FILE:LINE: KEY.PATH: message``."""

    def __init__(self, message: str, source: str | None = None, line: int | None = None, key: str = ""):
        self.message = message
        self.source = source
        self.line = line
        self.key = key
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "") + ": "
        return where + (f"{self.key}: " if self.key else "") + self.message


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

    def key_itself(self, mapping: object, name: str) -> At:
        """The position of the key (not its value): for unknown / duplicate keys."""
        line = _line_of(mapping, name, "key_lines") or getattr(mapping, "line", None) or self.line
        return At(self.source, f"{self.path}.{name}" if self.path else str(name), line)

    def item(self, seq: object, index: int) -> At:
        line = _line_of(seq, index, "item_lines") or getattr(seq, "line", None) or self.line
        return At(self.source, f"{self.path}[{index}]", line)

    def error(self, message: str) -> ConfigError:
        return ConfigError(message, self.source, self.line, self.path)
