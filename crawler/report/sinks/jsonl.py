"""``jsonl {path}``: one JSON object per event, appended (one line each, UTF-8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.model import Event
from crawler.options import FilePath, SinkOptions
from crawler.report.fileio import append
from crawler.report.jsonout import dumps, event_json
from crawler.report.sinks.base import Sink, register


class JsonlOptions(SinkOptions):
    path: FilePath  # the file events are appended to

    def default_name(self) -> str:
        return f"jsonl:{self.relative(self.path)}"

    def legacy_names(self) -> tuple[str, ...]:
        return (f"jsonl:{self.path}",)


@register("jsonl")
class JsonlSink(Sink):
    options_model = JsonlOptions

    def __init__(self, options: SinkOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, JsonlOptions)
        self.path = self.options.path

    def write(self, events: list[Event]) -> None:
        data = "".join(dumps(event_json(e)) + "\n" for e in events).encode("utf-8")
        append(self.path, data)
