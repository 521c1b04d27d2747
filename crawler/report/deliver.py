"""Deliver the outbox: every pending event to every configured sink, once.

Per sink (by its outbox name, e.g. ``jsonl:/abs/events.jsonl``):

1. ``store.pending(name, include_baseline=True)`` — every event without a successful delivery there.
2. Baseline events, unless ``notify_baseline: true``, are settled without being sent: marked
   ``skipped`` (``store.skipped``): they leave the outbox: turning ``notify_baseline`` on later does not replay old
   baselines.
3. The rest are enriched (publisher, date, diff) and delivered. Batch sinks: every event is claimed
   (``store.claim`` — atomic; an event another process claimed is left to it), the claimed batch is
   written in one go, then each is marked ``delivered`` — or, if the write raised, ``failed`` (still
   pending: retried by the next delivery). Per-event sinks (webhook): each event is claimed just
   before it is sent and marked right after; when the destination is unavailable (retries exhausted)
   the rest of the batch is left untouched (pending) for the next delivery.

A sink that cannot be built or raises never stops the others, nor the crawl that called us.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from crawler.model import Event
from crawler.options import SinkOptions
from crawler.report.enrich import enrich
from crawler.report.sinks import Sink, SinkUnavailable, build_sink
from crawler.safetext import terminal
from crawler.store import Store


@dataclass
class SinkResult:
    sink: str
    delivered: list[Event] = field(default_factory=list)
    failed: int = 0
    skipped_baseline: int = 0
    left: int = 0  # not attempted this time (destination down): still pending
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.left and not self.error


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _settle_baseline(store: Store, events: list[Event], sink: str) -> int:
    for event in events:
        store.skipped(_id(event), sink, "baseline (notify_baseline is off)")
    return len(events)


def _id(event: Event) -> int:
    assert event.id is not None, "events in the outbox have ids"
    return event.id


def _deliver_batch(store: Store, sink: Sink, events: list[Event], result: SinkResult) -> None:
    claimed = [e for e in events if store.claim(_id(e), sink.name)]
    if not claimed:
        return
    try:
        sink.write(claimed)
    except Exception as exc:  # the whole batch stays pending
        for event in claimed:
            store.failed(_id(event), sink.name, _error(exc))
        result.failed += len(claimed)
        result.error = _error(exc)
        return
    for event in claimed:
        store.delivered(_id(event), sink.name)
    result.delivered.extend(claimed)


def _deliver_each(store: Store, sink: Sink, events: list[Event], result: SinkResult) -> None:
    for i, event in enumerate(events):
        if not store.claim(_id(event), sink.name):
            continue
        try:
            sink.send(event)
        except Exception as exc:
            store.failed(_id(event), sink.name, _error(exc))
            result.failed += 1
            result.error = _error(exc)
            if isinstance(exc, SinkUnavailable):
                result.left = len(events) - i - 1
                return
            continue
        store.delivered(_id(event), sink.name)
        result.delivered.append(event)


def adopt_earlier_names(store: Store, sink: Sink) -> str | None:
    """Make the outbox rows an earlier version kept under another name for this sink its own, so
    nothing already sent is sent again; returns the name adopted, if any.

    Earlier versions named a file sink by its absolute path (``jsonl:/srv/govwatch/events.jsonl``);
    it is now named by the path as the config writes it (``jsonl:events.jsonl``), so copying the
    folder elsewhere keeps the name. Rows under the old absolute name are adopted; and a folder
    copied before the upgrade, whose rows name the old folder, has them adopted when exactly one old
    name ends with this file and the sink has no rows of its own yet."""
    known = set(store.delivery_sinks())
    for old in sink.options.legacy_names():
        if old != sink.name and old in known:
            store.adopt_deliveries(old, sink.name)
            return old
    if sink.options.name or sink.name in known or ":" not in sink.name:
        return None
    kind, _, written = sink.name.partition(":")
    if written.startswith("/") or not sink.options.legacy_names():
        return None
    copies = [s for s in known if s.startswith(f"{kind}:/") and s.endswith(f"/{written}")]
    if len(copies) != 1:
        return None
    store.adopt_deliveries(copies[0], sink.name)
    return copies[0]


def deliver_sink(store: Store, sink: Sink, *, notify_baseline: bool) -> SinkResult:
    result = SinkResult(sink.name)
    adopt_earlier_names(store, sink)
    pending = store.pending(sink.name, include_baseline=True)
    baseline = [e for e in pending if e.baseline and not notify_baseline]
    rest = [e for e in pending if not (e.baseline and not notify_baseline)]
    if baseline:
        result.skipped_baseline = _settle_baseline(store, baseline, sink.name)
    if rest:
        events = enrich(store, rest)
        if sink.batch:
            _deliver_batch(store, sink, events, result)
        else:
            _deliver_each(store, sink, events, result)
    return result


class DeliveryConfig(Protocol):
    """What delivery needs of the configuration (``crawler.config.Config`` has it)."""

    @property
    def sinks(self) -> Sequence[SinkOptions]: ...

    @property
    def notify_baseline(self) -> bool: ...


def deliver(store: Store, config: DeliveryConfig) -> list[SinkResult]:
    """Deliver to every sink of ``config.sinks``; one ``SinkResult`` per sink, in config order."""
    results = []
    for options in config.sinks:
        try:
            sink = build_sink(options)
        except Exception as exc:
            results.append(SinkResult(options.sink_name, error=_error(exc)))
            continue
        sink.lock_dir = store.lock_dir
        try:
            results.append(deliver_sink(store, sink, notify_baseline=config.notify_baseline))
        except Exception as exc:  # e.g. the database is locked for longer than busy_timeout
            results.append(SinkResult(sink.name, error=_error(exc)))
        finally:
            sink.close()
    for r in results:
        if r.error:
            print(terminal(f"govwatch: error: delivery to {r.sink} failed: {r.error}"), file=sys.stderr)
    return results


def deliver_pending(store: Store, config: DeliveryConfig) -> dict[str, int]:
    """The entry point the crawl and the daemon call: ``{sink name: events delivered}``."""
    return {r.sink: len(r.delivered) for r in deliver(store, config)}
