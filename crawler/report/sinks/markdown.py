"""``markdown {dir}``: one digest file per delivery, ``<dir>/govwatch-YYYYmmdd-HHMMSS-<run>.md``.

``<run>`` is ``run7`` when every event came from run 7, ``runs7-9`` for several runs, ``manual`` for
events without a run. A second file in the same second gets ``-2``, ``-3``…; files are never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler import clock
from crawler.model import Event
from crawler.options import FilePath, SinkOptions
from crawler.report.fileio import create_new
from crawler.report.markdown import render_markdown
from crawler.report.sinks.base import Sink, register


def run_label(events: list[Event]) -> str:
    runs = sorted({e.run_id for e in events if e.run_id is not None})
    if not runs:
        return "manual"
    return f"run{runs[0]}" if len(runs) == 1 else f"runs{runs[0]}-{runs[-1]}"


class MarkdownOptions(SinkOptions):
    dir: FilePath  # the folder digest files are written to

    def default_name(self) -> str:
        return f"markdown:{self.relative(self.dir)}"

    def legacy_names(self) -> tuple[str, ...]:
        return (f"markdown:{self.dir}",)


@register("markdown")
class MarkdownSink(Sink):
    options_model = MarkdownOptions

    def __init__(self, options: SinkOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        assert isinstance(self.options, MarkdownOptions)
        self.dir = self.options.dir
        self.written: list[Path] = []

    def write(self, events: list[Event]) -> None:
        now = clock.now()
        title = f"govwatch digest — {now.isoformat(timespec='minutes')}"
        path = self.dir / f"govwatch-{now:%Y%m%d-%H%M%S}-{run_label(events)}.md"
        self.written.append(create_new(path, render_markdown(events, title=title).encode("utf-8")))
