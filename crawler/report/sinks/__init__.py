"""Sink types, registered by name: console, jsonl, markdown, atom, webhook, apprise."""

from crawler.report.sinks import apprise, atom, console, jsonl, markdown, webhook  # noqa: F401  (registration)
from crawler.report.sinks.base import SINKS, Sink, SinkError, SinkUnavailable, build_sink, register

__all__ = ["SINKS", "Sink", "SinkError", "SinkUnavailable", "build_sink", "register"]
