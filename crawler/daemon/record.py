"""The store side of a daemon run: what the crawl recorded, and recording what it could not
(a crawl killed at its timeout, crashed or stopped at shutdown leaves its run ``running``)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.crawl.lock import SiteLock, SiteLocked
from crawler.store import Store

COUNTED = ("new", "changed", "removed", "tampered")
LOCK_WAIT = 5.0  # seconds to wait for a site's lock before settling its runs


@dataclass
class Outcome:
    """How one daemon run ended, as the run-end log line shows it."""

    site: str
    run_id: int | None
    status: str
    requests: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    returncode: int | None = None
    killed: str | None = None  # timeout | shutdown
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "partial")

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "site": self.site,
            "run": self.run_id,
            "status": self.status,
            "requests": self.requests,
        }
        out.update({k: int(self.counts.get(k, 0)) for k in COUNTED})
        out["seconds"] = round(self.seconds, 1)
        out["exit"] = self.returncode
        if self.killed:
            out["killed"] = self.killed
        if self.note:
            out["note"] = self.note
        return out


def read_report(path: Path, site: str) -> tuple[dict[str, Any] | None, Counter[str]]:
    """The crawl's ``--report-json``: this site's run and its event counts; ``(None, {})`` when the
    crawl died before writing it (or while writing it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, Counter()
    run = next((r for r in data.get("runs", []) if r.get("site") == site), None)
    return run, Counter(e.get("type") for e in data.get("events", []) if e.get("site") == site)


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


def record_failed_run(store: Store, site: str, notes: dict[str, Any]) -> int:
    """A run the crawl never recorded (it died before writing its run row): record it failed."""
    run_id = int(store.start_run(site))
    store.finish_run(run_id, "failed", {"notes": notes})
    return run_id


def run_summary(store: Store, run_id: int) -> tuple[int, dict[str, int]]:
    row = store.run(run_id) or {}
    counts = row.get("counts") or {}
    return int(row.get("requests") or 0), {k: int(counts.get(k, 0) or 0) for k in COUNTED}


def tail(path: Path, lines: int = 12, limit: int = 4096) -> str:
    """The last lines a crawl printed (for the run's notes and the log)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - limit))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])
