"""The sink contract and the registry of sink types by name.

A sink is built from a ``SinkConfig`` (``type`` + ``options``). ``name`` is its stable outbox name —
the ``deliveries.sink`` value — so two sinks of one type (two JSON Lines files) are tracked apart.

Batch sinks (console, jsonl, markdown, atom) implement ``write(events)``: one call per delivery, all
or nothing. Per-event sinks (``batch = False``: webhook) implement ``send(event)``; the deliverer
claims each event just before sending it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from crawler.model import Event


class SinkError(Exception):
    """Delivery of one event (or one batch) failed; it stays pending and is retried later."""


class SinkUnavailable(SinkError):
    """The destination is down (retries exhausted): stop sending this batch, retry it all later."""


class Sink:
    type: ClassVar[str] = ""
    batch: ClassVar[bool] = True

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options: Mapping[str, Any] = dict(options or {})

    @property
    def name(self) -> str:
        return self.type

    def write(self, events: list[Event]) -> None:
        """Deliver a batch (batch sinks); raise to leave all of it pending."""
        raise NotImplementedError

    def send(self, event: Event) -> None:
        """Deliver one event (per-event sinks); raise ``SinkError`` / ``SinkUnavailable``."""
        self.write([event])

    def close(self) -> None:
        """Release connections; called once after a delivery."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


SINKS: dict[str, type[Sink]] = {}


def register(type_name: str):
    """Class decorator: ``@register("console")`` adds the class to ``SINKS`` under that name."""

    def add(cls: type[Sink]) -> type[Sink]:
        if type_name in SINKS and SINKS[type_name] is not cls:
            raise ValueError(f"sink type {type_name!r} is registered twice")
        cls.type = type_name
        SINKS[type_name] = cls
        return cls

    return add


def build_sink(config: Any) -> Sink:
    """A sink from a ``SinkConfig`` (anything with ``.type`` and ``.options``)."""
    try:
        cls = SINKS[config.type]
    except KeyError:
        raise ValueError(f"unknown sink type {config.type!r} (known: {', '.join(sorted(SINKS))})") from None
    return cls(getattr(config, "options", None) or {})


def option_path(options: Mapping[str, Any], key: str, sink: str):
    from pathlib import Path

    value = options.get(key)
    if not value:
        raise ValueError(f"the {sink} sink needs {key!r}")
    return Path(value).expanduser().resolve()
