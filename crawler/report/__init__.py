"""Report sinks: deliver every event once, where people will see it (docs/ARCHITECTURE.md, "Identity,
versions, events" — the outbox).

``deliver_pending(store, config)`` is what the crawl and the daemon call; ``render_text`` /
``render_markdown`` / ``render_json`` render a digest; ``SINKS`` is the registry of sink types.
"""

from __future__ import annotations

from crawler.report.deliver import SinkResult, deliver, deliver_pending, deliver_sink
from crawler.report.jsonout import render_json
from crawler.report.markdown import render_markdown
from crawler.report.sinks import SINKS, Sink, SinkError, SinkUnavailable, build_sink, register
from crawler.report.text import render_text

__all__ = [
    "SINKS",
    "Sink",
    "SinkError",
    "SinkResult",
    "SinkUnavailable",
    "build_sink",
    "deliver",
    "deliver_pending",
    "deliver_sink",
    "register",
    "render_json",
    "render_markdown",
    "render_text",
]
