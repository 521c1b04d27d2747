"""The daemon's log: one line per event (run start, run end, scheduler notes) on stderr, as
``key=value`` text or, with ``--log-json``, one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import datetime, tzinfo
from typing import IO, Any


def _text_value(value: Any) -> str:
    text = str(value)
    if not text or any(c.isspace() for c in text) or '"' in text:
        return json.dumps(text, ensure_ascii=False)
    return text


class DaemonLog:
    """Thread-safe line writer: ``log.emit("run_end", site="quzhou", run=7, status="ok", ...)``.

    Every time in a line — its timestamp and any date-time field (``next``, ``now``) — is written in
    one zone, the configuration's ``timezone`` (``tz``; default: the machine's)."""

    def __init__(
        self, json_lines: bool = False, stream: IO[str] | None = None, tz: tzinfo | None = None
    ) -> None:
        self.json_lines = json_lines
        self.stream = stream if stream is not None else sys.stderr
        self.tz = tz
        self._lock = threading.Lock()

    def _time(self, value: datetime) -> str:
        value = value.astimezone(self.tz) if value.tzinfo else value.replace(tzinfo=self.tz)
        return value.isoformat(timespec="seconds")

    def emit(self, event: str, **fields: Any) -> None:
        ts = self._time(datetime.now(self.tz).astimezone(self.tz))
        fields = {k: self._time(v) if isinstance(v, datetime) else v for k, v in fields.items()}
        if self.json_lines:
            line = json.dumps({"ts": ts, "event": event, **fields}, ensure_ascii=False, default=str)
        else:
            parts = " ".join(f"{k}={_text_value(v)}" for k, v in fields.items() if v is not None)
            line = f"{ts} {event} {parts}".rstrip()
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # a closed stderr must not stop the daemon
                pass


class _Forward(logging.Handler):
    def __init__(self, log: DaemonLog) -> None:
        super().__init__(logging.INFO)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.emit("scheduler", level=record.levelname.lower(), message=record.getMessage())


def forward_library_logs(log: DaemonLog) -> None:
    """Send APScheduler's own warnings (missed runs, a run still going) through ``log``."""
    logger = logging.getLogger("apscheduler")
    logger.handlers[:] = [_Forward(log)]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
