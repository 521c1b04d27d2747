"""Group commit: the writes of many fetches — of one run or of many runs at once — queued and
committed together, one transaction per short interval instead of one per fetch.

A crawl records each fetch through its run's :class:`~crawler.store.RunLedger`; while a
``GroupCommit`` is open on the store (``store.group_commit()``), the ledger queues the write instead
of making it. The queue is applied in order, in one write transaction, when its oldest write is
``interval`` seconds old (checked as writes arrive and by the crawl's clock), when it holds
``max_writes``, and whenever someone needs what it holds (the end of a run, a read that depends on
it). Each queued write is a savepoint of that transaction: one that fails for a reason of its own is
rolled back alone and recorded as a failed fetch, as it would have been on its own.

What this keeps true:

- an event exists only once the transaction that proved it committed: the ledger learns a write's
  events after the commit, and delivery reads committed events only;
- a process killed at any moment loses only writes not yet committed (at most ``interval`` seconds'
  worth), never a part of one: the next run fetches those pages again, as after any kill;
- a storage fault (the disk or the file) fails the whole transaction: every queued write is dropped
  and counted, and each ledger with a write in it meets the fault (its run ends ``failed``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from crawler.store.codec import index_last
from crawler.store.files import storage_fault

if TYPE_CHECKING:
    from crawler.store.ledger import RunLedger
    from crawler.store.store import Store

log = logging.getLogger("govwatch.store")

#: seconds a write may wait in the queue before the queue is committed
INTERVAL = 0.05
#: writes that make the queue commit at once, however young
MAX_WRITES = 500


@dataclass
class Write:
    """One queued write of a ledger: ``apply(db)`` inside the group's transaction returns what the
    ledger settles with (``settle``); ``fetch`` when it records a fetch (counted if dropped)."""

    ledger: RunLedger
    apply: Callable[[Database], Any]
    settle: Callable[[Any], Any]
    fetch: bool = False
    keys: tuple[str, ...] = field(default_factory=tuple)


class GroupCommit:
    """``with store.group_commit(interval) as group:`` — ledgers made from the store queue into it."""

    def __init__(self, store: Store, interval: float = INTERVAL, max_writes: int = MAX_WRITES) -> None:
        self.store = store
        self.interval = interval
        self.max_writes = max_writes
        self.queue: list[Write] = []
        self.oldest: float | None = None
        self.keys: set[str] = set()
        #: committed transactions and writes (for benchmarks and tests)
        self.commits = 0
        self.writes = 0

    def __enter__(self) -> GroupCommit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, write: Write) -> None:
        if not self.queue:
            self.oldest = time.monotonic()
        self.queue.append(write)
        self.keys.update(write.keys)
        if len(self.queue) >= self.max_writes or self.due():
            self.flush()

    def due(self) -> bool:
        """Whether the oldest queued write has waited ``interval`` seconds."""
        return self.oldest is not None and time.monotonic() - self.oldest >= self.interval

    def holds(self, key: str | None) -> bool:
        """Whether a queued write concerns the release ``key``."""
        return key is not None and key in self.keys

    def pending(self, ledger: RunLedger) -> int:
        return sum(1 for w in self.queue if w.ledger is ledger)

    def flush(self) -> None:
        """Apply the queue in one transaction, then settle each write with its result."""
        queue, self.queue, self.oldest = self.queue, [], None
        self.keys.clear()
        if not queue:
            return
        try:
            with self.store._write() as db, index_last(db):
                results = [self._apply(db, w) for w in queue]
        except Exception as exc:
            problem = storage_fault(exc, self.store.path)
            if problem is None:
                raise
            self._fault(queue, problem)
            return
        self.commits += 1
        self.writes += len(queue)
        for write, result in zip(queue, results, strict=True):
            write.settle(result)

    def _apply(self, db: Database, write: Write) -> Any:
        """One write in the transaction: the store's call it makes is a savepoint of it, undone alone
        when it fails (``Store._write``); a storage fault fails the transaction."""
        return write.apply(db)

    @staticmethod
    def _fault(queue: list[Write], problem: str) -> None:
        dropped: dict[int, tuple[RunLedger, int]] = {}
        for write in queue:
            ledger, n = dropped.get(id(write.ledger), (write.ledger, 0))
            dropped[id(write.ledger)] = (ledger, n + int(write.fetch))
        for ledger, n in dropped.values():
            ledger.meet_fault(problem, dropped=n)

    def close(self) -> None:
        self.flush()
        if self.store.group is self:
            self.store.group = None
