"""``jsonl {path}``: one JSON object per event, appended (one line each, UTF-8)."""

from __future__ import annotations

from crawler.model import Event
from crawler.report.fileio import append
from crawler.report.jsonout import dumps, event_json
from crawler.report.sinks.base import Sink, option_path, register


@register("jsonl")
class JsonlSink(Sink):
    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.path = option_path(self.options, "path", "jsonl")

    @property
    def name(self) -> str:
        return f"jsonl:{self.path}"

    def write(self, events: list[Event]) -> None:
        data = "".join(dumps(event_json(e)) + "\n" for e in events).encode("utf-8")
        append(self.path, data)
