"""Text from the web made safe for a terminal or a log.

A page's title can carry escape sequences (ESC ] 0 ; … BEL retitles the terminal, OSC 52 writes the
clipboard, CSI sequences erase and hide lines — the ``[critical]`` one included). Everything govwatch
writes to a terminal or a log goes through here: C0 controls except newline and tab, DEL, C1
controls and the bidirectional overrides (which can reorder what a line seems to say) are removed.

- ``terminal(text)``: for plain text (the console sink, ``history``, ``releases``, ``diff``,
  ``report``).
- ``json_text(text)``: for JSON written to a terminal: ``json.dumps`` already escapes C0; this
  escapes C1 and the bidirectional controls as ``\\uXXXX`` too (still valid JSON, same values).
- ``install_log_filter()``: every log record's message (and traceback) cleaned as it is made, for
  every handler — Scrapy's, the daemon's JSON lines, the console.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n?")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal(text: str) -> str:
    """``text`` without control characters other than newline and tab (``\\r\\n`` becomes ``\\n``)."""
    return _UNSAFE.sub("", _LINE_BREAKS.sub("\n", text))


def one_line(text: str) -> str:
    """``terminal(text)`` with newlines and tabs turned into spaces."""
    return terminal(text).replace("\n", " ").replace("\t", " ")


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps``) with C1 and bidirectional controls escaped."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


_installed: list[Any] = []


def install_log_filter() -> None:
    """Clean every log record as it is created (once per process; later calls do nothing)."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return record
        record.msg, record.args = terminal(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = terminal(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = terminal(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed.append(factory)
