"""``console``: the grouped text digest on standard output."""

from __future__ import annotations

import sys

from crawler.model import Event
from crawler.report.sinks.base import Sink, register
from crawler.report.text import render_text
from crawler.safetext import terminal


@register("console")
class ConsoleSink(Sink):
    def write(self, events: list[Event]) -> None:
        text = render_text(events)
        if text:
            sys.stdout.write(terminal(text))
            sys.stdout.flush()
