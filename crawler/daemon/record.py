"""The store side of the daemon: how a run ended, as its ``run_end`` line says, and the runs a
crawl left ``running`` when it was killed with the daemon (finished ``failed`` at the next start)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.crawl.lock import SiteLock, SiteLocked
from crawler.store import Store

COUNTED = ("new", "changed", "removed", "tampered")
LOCK_WAIT = 5.0  # seconds to wait for a site's lock before settling its runs


@dataclass
class Outcome:
    """How one run ended, as the run-end log line shows it."""

    site: str
    run_id: int | None
    status: str
    requests: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pid: int | None = None  # the crawl process that crawled it
    killed: str | None = None  # timeout | shutdown | stall
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "partial")

    @classmethod
    def of_run(cls, row: dict[str, Any], seconds: float, pid: int | None) -> Outcome:
        """From a finished run row (``Store.run``): a run stopped at the daemon's ``run_timeout``, at
        shutdown or with its stalled process says so (``killed``), a failed one why (``note``)."""
        counts, notes = row.get("counts") or {}, row.get("notes") or {}
        reason = counts.get("finish_reason")
        killed = notes.get("killed")
        if reason == "run_timeout":
            killed = "timeout"
        elif reason == "shutdown":
            killed = killed or "shutdown"
        return cls(
            site=row.get("site", "?"),
            run_id=row.get("id"),
            status=row.get("status", "failed"),
            requests=int(row.get("requests") or 0),
            counts={k: int(counts.get(k, 0) or 0) for k in COUNTED},
            seconds=seconds,
            pid=pid,
            killed=killed,
            note=notes.get("error") or (counts.get("message") if row.get("status") == "skipped" else None),
        )

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "site": self.site,
            "run": self.run_id,
            "status": self.status,
            "requests": self.requests,
        }
        out.update({k: int(self.counts.get(k, 0)) for k in COUNTED})
        out["seconds"] = round(self.seconds, 1)
        out["pid"] = self.pid
        if self.killed:
            out["killed"] = self.killed
        if self.note:
            out["note"] = self.note
        return out


def fail_unfinished(
    store: Store, database: Path, site: str, after_id: int, notes: dict[str, Any]
) -> list[int] | None:
    """Finish as ``failed`` the runs of ``site`` still ``running`` with an id above ``after_id``.

    Done while holding the site's crawl lock, so a run being written by a live crawl is never touched;
    ``None`` when another crawl of the site holds the lock (its rows are not ours to judge).
    """
    try:
        with SiteLock(database, site, wait=LOCK_WAIT):
            ids = store.unfinished_runs(site, after_id)
            for run_id in ids:
                store.finish_run(run_id, "failed", {"notes": notes})
            return ids
    except SiteLocked:
        return None
