"""The sink contract and the registry of sink types by name.

A sink type declares its config keys next to its class: ``options_model``, a subclass of
:class:`crawler.options.SinkOptions` (which gives every sink ``type`` and an optional ``name``).
``register`` files the class under its type name; config validation asks this registry which types
exist and what each accepts. A sink is built from its validated options (``build_sink``). Its
``name`` is its stable outbox name — the ``deliveries.sink`` value — so two sinks of one type (two
JSON Lines files) are tracked apart; by default it is derived from its options (``jsonl:/abs/path``).

Batch sinks (console, jsonl, markdown, atom) implement ``write(events)``: one call per delivery, all
or nothing. Per-event sinks (``batch = False``: webhook) implement ``send(event)``; the deliverer
claims each event just before sending it. Sinks of messages in parts (``parted = True``: apprise)
implement ``compose(events)`` — the messages, stored before anything is sent — and
``send_part(part, accepted)``; the deliverer sends the parts in order, each once after success.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import create_model

from crawler.model import Event
from crawler.options import SinkOptions
from crawler.store import Part

_create_model: Any = create_model  # models made at run time: typed by their base


class SinkError(Exception):
    """Delivery of one event (or one batch) failed; it stays pending and is retried later."""


class SinkUnavailable(SinkError):
    """The destination is down (retries exhausted): stop sending this batch, retry it all later."""


class Sink:
    type: ClassVar[str] = ""
    batch: ClassVar[bool] = True
    parted: ClassVar[bool] = False
    #: the keys this sink type takes (``register`` pins its ``type``)
    options_model: ClassVar[builtins.type[SinkOptions]] = SinkOptions

    def __init__(self, options: SinkOptions | Mapping[str, Any] | None = None) -> None:
        if not isinstance(options, SinkOptions):  # a plain mapping (relative paths: from here)
            raw = {"type": self.type, **dict(options or {})}
            options = self.options_model.model_validate(raw, context={"base_dir": Path.cwd()})
        self.options: SinkOptions = options
        #: where lock files go (the database's lock folder, set by the deliverer); None: beside outputs
        self.lock_dir: Path | None = None

    @property
    def name(self) -> str:
        return self.options.sink_name

    def write(self, events: list[Event]) -> None:
        """Deliver a batch (batch sinks); raise to leave all of it pending."""
        raise NotImplementedError

    def send(self, event: Event) -> None:
        """Deliver one event (per-event sinks); raise ``SinkError`` / ``SinkUnavailable``."""
        self.write([event])

    def prepare(self) -> None:
        """Read what delivery needs before the outbox is read (destinations, limits); raise
        ``SinkError`` to leave everything pending."""

    def compose(self, events: list[Event]) -> list[list[Part]]:
        """The messages of ``events`` (parted sinks): each inner list one message's parts, in order."""
        raise NotImplementedError

    def send_part(self, part: Part, accepted: Callable[[list[str]], None]) -> None:
        """Send one part (parted sinks); raise ``SinkError`` to leave it pending."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; called once after a delivery."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


SINKS: dict[str, type[Sink]] = {}


def register(type_name: str) -> Callable[[type[Sink]], type[Sink]]:
    """Class decorator: ``@register("console")`` adds the class to ``SINKS`` under that name, its
    options model pinned to ``type: console``."""

    def add(cls: type[Sink]) -> type[Sink]:
        if type_name in SINKS and SINKS[type_name] is not cls:
            raise ValueError(f"sink type {type_name!r} is registered twice")
        base = cls.options_model
        cls.type = type_name
        cls.options_model = _create_model(
            cls.__name__.removesuffix("Sink") + "Options",
            __base__=base,
            __module__=base.__module__,
            type=(Literal[type_name], type_name),
        )
        SINKS[type_name] = cls
        return cls

    return add


def build_sink(options: SinkOptions) -> Sink:
    """A sink from its validated options (an item of ``config.sinks``)."""
    try:
        cls = SINKS[options.type]
    except KeyError:
        raise ValueError(f"unknown sink type {options.type!r} (known: {', '.join(sorted(SINKS))})") from None
    return cls(options)
