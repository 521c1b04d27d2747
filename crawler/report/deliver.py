"""Deliver the outbox: every pending event to every configured sink, once.

Per sink (by its outbox name, e.g. ``jsonl:events.jsonl``):

1. Where the sink starts (``store.start_sinks``): a sink new to an archive is responsible for the
   events after this moment only, unless ``backfill: true`` (the crawl records it before its run too,
   so the run's own events are the new sink's first).
2. ``store.pending(name, include_baseline=True)`` — every event since then without a successful
   delivery there.
3. Baseline events, unless ``notify_baseline: true``, and events the sink's filters (``events``,
   ``min_severity``, ``sites``) drop are settled without being sent: marked ``skipped`` with the
   reason: turning ``notify_baseline`` on or widening a filter later does not replay them.
4. The rest are enriched (publisher, date, diff) and delivered. Batch sinks: every event is claimed
   (``store.claim`` — atomic; an event another process claimed is left to it), the claimed batch is
   written in one go, then each is marked ``delivered`` — or, if the write raised, ``failed`` (still
   pending: retried by the next delivery). Per-event sinks (webhook): each event is claimed just
   before it is sent and marked right after; when the destination is unavailable (retries exhausted)
   the rest of the batch is left untouched (pending) for the next delivery. Sinks of messages in parts
   (apprise): the messages are composed and stored in the same transaction that reads the pending
   events (``store.queue_parts``), then sent part by part in order — earlier deliveries' unsent
   parts first; a part that fails stops the sink until the next delivery, which retries it alone.

A sink that cannot be built or raises never stops the others, nor the crawl that called us.
"""

from __future__ import annotations

import functools
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
    filtered: int = 0  # left out by the sink's filters (settled, never sent)
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


def _settle_filtered(store: Store, sink: Sink, events: list[Event]) -> list[Event]:
    """Settle the events the sink's filters drop; return the others."""
    keep, dropped, reasons = [], [], []
    for event in events:
        why = sink.options.drops(event.type, event.severity, event.site)
        if why is None:
            keep.append(event)
        else:
            dropped.append(_id(event))
            reasons.append(why)
    store.skip_events(dropped, sink.name, reasons)
    return keep


def _deliver_parts(store: Store, sink: Sink, known: dict[int, Event], result: SinkResult) -> None:
    """Send the sink's unsent parts in order; stop at the first that fails (retried alone next time)
    or that another process is sending."""
    parts = store.open_parts(sink.name)
    for i, part in enumerate(parts):
        assert part.id is not None
        if not store.claim_part(part.id):
            result.left += sum(len(p.events) for p in parts[i:])
            return
        part_id = part.id
        try:
            sink.send_part(part, functools.partial(store.part_progress, part_id))
        except Exception as exc:
            store.part_failed(part_id, _error(exc))
            result.failed += len(part.events)
            result.left += sum(len(p.events) for p in parts[i + 1 :])
            result.error = _error(exc)
            return
        store.part_delivered(part_id)
        missing = [n for n in part.events if n not in known]
        if missing:
            known.update({_id(e): e for e in store.events_with_ids(missing)})
        result.delivered.extend(known[n] for n in part.events if n in known)


def deliver_sink(store: Store, sink: Sink, *, notify_baseline: bool) -> SinkResult:
    result = SinkResult(sink.name)
    adopt_earlier_names(store, sink)
    store.start_sinks({sink.name: sink.options.backfill})
    if sink.parted:
        sink.prepare()
    events: list[Event] = []
    with store.transaction():  # a parted sink's messages are stored with the reading of its events
        pending = store.pending(sink.name, include_baseline=True)
        baseline = [e for e in pending if e.baseline and not notify_baseline]
        rest = [e for e in pending if not (e.baseline and not notify_baseline)]
        if baseline:
            result.skipped_baseline = _settle_baseline(store, baseline, sink.name)
        kept = _settle_filtered(store, sink, rest)
        result.filtered = len(rest) - len(kept)
        if kept:
            events = enrich(store, kept)
            if sink.parted:
                store.queue_parts(sink.name, sink.compose(events))
    if sink.parted:
        _deliver_parts(store, sink, {_id(e): e for e in events}, result)
    elif events:
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
    results: list[SinkResult] = []
    built: list[Sink | SinkResult] = []
    for options in config.sinks:
        try:
            built.append(build_sink(options))
        except Exception as exc:
            built.append(SinkResult(options.sink_name, error=_error(exc)))
    sinks = [s for s in built if isinstance(s, Sink)]
    try:  # every sink's start is recorded before any is delivered to
        for sink in sinks:
            adopt_earlier_names(store, sink)
        store.start_sinks({sink.name: sink.options.backfill for sink in sinks})
    except Exception as exc:  # the database is locked for longer than busy_timeout
        built = [SinkResult(s.name, error=_error(exc)) if isinstance(s, Sink) else s for s in built]
    for item in built:
        if isinstance(item, SinkResult):
            results.append(item)
            continue
        sink = item
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
