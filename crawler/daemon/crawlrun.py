"""One daemon run of one site: the crawl as a subprocess with a timeout, then the bookkeeping the
crawl could not do itself (a killed run recorded ``failed``), then delivery of pending events."""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.children import child_env
from crawler.config import Config
from crawler.daemon import record
from crawler.daemon.logs import DaemonLog
from crawler.daemon.record import Outcome
from crawler.daemon.runs import Child, Children

if TYPE_CHECKING:
    from crawler.store import Store

KILL_GRACE = 5.0  # seconds between SIGTERM and SIGKILL for a crawl past its run_timeout


@dataclass
class CrawlRunner:
    config_path: Path
    config: Config
    database: Path
    log: DaemonLog
    workdir: Path
    children: Children
    kill_grace: float = KILL_GRACE

    def command(self, site: str, report: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            "--config",
            str(self.config_path),
            "--site",
            site,
            "--db",
            str(self.database),
            "--no-notify",
            "--report-json",
            str(report),
        ]

    def store(self) -> Store:
        from crawler.store import Store

        return Store(self.database)

    def run(self, site: str) -> Outcome | None:
        """Crawl ``site`` once; ``None`` when the daemon is stopping (nothing was started)."""
        if not self.children.begin():
            return None
        try:
            store = self.store()
            try:
                return self._run(store, site)
            finally:
                store.close()
        finally:
            self.children.end()

    def _run(self, store: Store, site: str) -> Outcome | None:
        token = uuid.uuid4().hex[:8]
        report = self.workdir / f"{site}-{token}.json"
        output = self.workdir / f"{site}-{token}.log"
        before = store.last_run_id()
        started = time.monotonic()
        child = self.children.spawn(self.command(site, report), site, output, child_env())
        if child is None:
            return None
        self.log.emit("run_start", site=site, pid=child.pid)
        try:
            returncode = child.wait(self.run_timeout, self.kill_grace)
        finally:
            self.children.forget(child)
        outcome = self.settle(store, site, child, returncode, report, output, before)
        outcome.seconds = time.monotonic() - started
        for path in (report, output):
            with contextlib.suppress(OSError):
                path.unlink()
        self.deliver(store, site)
        self.log.emit("run_end", **outcome.fields())
        return outcome

    @property
    def run_timeout(self) -> float:
        return self.config.daemon.run_timeout.total_seconds()

    def settle(
        self, store: Store, site: str, child: Child, returncode: int, report: Path, output: Path, before: int
    ) -> Outcome:
        """What became of the run: the crawl's own report when it ended by itself, else the run row it
        left ``running`` finished ``failed`` (or a ``failed`` row when it died before writing one)."""
        run, counts = record.read_report(report, site)
        killed = child.reason
        crashed = returncode < 0 or returncode not in (0, 1)
        if run is not None and not killed and not crashed:
            status, requests = run.get("status", "failed"), int(run.get("requests") or 0)
            return Outcome(site, run.get("id"), status, requests, dict(counts), returncode=returncode)
        note = self.failure_note(killed, returncode)
        last_line = record.tail(output, lines=1)
        if last_line and not killed:
            note += f" — {last_line}"
        notes = {"error": note, "by": "daemon", "returncode": returncode, "output": record.tail(output)}
        failed = record.fail_unfinished(store, self.database, site, before, notes)
        if run is not None:  # stopped, yet the crawl finished its run gracefully: keep what it recorded
            run_id, status = run.get("id"), run.get("status", "failed")
        elif failed:
            run_id, status = failed[-1], "failed"
        elif failed is None:
            self.log.emit(
                "run_unsettled", site=site, note="another crawl holds the site's lock; left as it is"
            )
            run_id, status = None, "failed"
        else:
            run_id, status = record.record_failed_run(store, site, notes), "failed"
        requests, stored = record.run_summary(store, run_id) if run_id else (0, {})
        return Outcome(
            site,
            run_id,
            status,
            requests,
            stored or dict(counts),
            returncode=returncode,
            killed=killed,
            note=note,
        )

    def failure_note(self, killed: str | None, returncode: int) -> str:
        if killed == "timeout":
            return f"killed by the daemon: ran past run_timeout ({self.run_timeout:g}s)"
        if killed == "shutdown":
            return "stopped by the daemon's shutdown"
        if returncode < 0:
            return f"crawl process killed by signal {-returncode}"
        return f"crawl process ended with exit status {returncode} without finishing its run"

    def deliver(self, store: Store, site: str) -> None:
        """Hand pending events to the sinks; what fails stays in the outbox for the next delivery."""
        from crawler.report import deliver_pending

        try:
            delivered = deliver_pending(store, self.config)
        except Exception as exc:  # a sink's failure must not stop the daemon
            self.log.emit("delivery_error", site=site, error=f"{type(exc).__name__}: {exc}")
            return
        if any(delivered.values()):
            self.log.emit("delivered", site=site, **{k: v for k, v in delivered.items()})
