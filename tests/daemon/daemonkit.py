"""The real daemon as a subprocess, and reads of the database it writes (runs, events)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from tests import helpers
from tests.helpers import REPO, env_with


def rows(db: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    """What the daemon has written so far (nothing before it created the file and its tables)."""
    return helpers.rows(db, sql, *params, missing_ok=True)


def runs(db: Path, site: str | None = None) -> list[dict[str, Any]]:
    sql, params = "SELECT * FROM runs", ()
    if site:
        sql, params = sql + " WHERE site = ?", (site,)
    out = rows(db, sql + " ORDER BY id", *params)
    for r in out:
        r["notes"] = json.loads(r["notes"] or "{}")
    return out


def events(db: Path, type_: str) -> list[dict[str, Any]]:
    return rows(db, "SELECT * FROM events WHERE type = ? ORDER BY id", type_)


def log_lines(text: str, event: str | None = None) -> list[dict[str, Any]]:
    """The JSON lines of a daemon's log (of one ``event``); a line still being written is skipped."""
    out = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            if isinstance(item, dict) and (event is None or item.get("event") == event):
                out.append(item)
    return out


def wait_for(what: str, predicate: Callable[[], Any], timeout: float, daemon: Daemon | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if daemon is not None and daemon.proc.poll() is not None:
            raise AssertionError(
                f"the daemon exited ({daemon.proc.returncode}) waiting for {what}\n{daemon.log()}"
            )
        if time.monotonic() > deadline:
            detail = daemon.log() if daemon else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{detail}")
        time.sleep(0.2)


class Daemon:
    """``python -m crawler daemon --config CONFIG [args]`` in the background; stderr kept in a file."""

    def __init__(self, config: Path, *args: str) -> None:
        self.config = config
        self.db = config.parent / "govwatch.db"
        self.err_path = config.parent / f"daemon-{os.urandom(3).hex()}.err"
        self.out_path = self.err_path.with_suffix(".out")
        cmd = [sys.executable, "-m", "crawler", "daemon", "--config", str(config), *args]
        with open(self.err_path, "wb") as err, open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=REPO, env=env_with())

    def log(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")[-6000:]

    def lines(self, event: str | None = None) -> list[dict[str, Any]]:
        """The daemon's ``--log-json`` lines so far (of one ``event``), in order."""
        return log_lines(self.err_path.read_text(encoding="utf-8", errors="replace"), event)

    def crawls(self) -> list[psutil.Process]:
        """The daemon's crawl subprocesses."""
        try:
            children = psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return []
        out = []
        for child in children:
            with contextlib.suppress(psutil.Error):
                if "crawl" in child.cmdline():
                    out.append(child)
        return out

    def alive(self) -> bool:
        return self.proc.poll() is None

    def terminate(self, timeout: float = 90) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            crawls = self.crawls()
            self.proc.kill()
            self.proc.wait(timeout=30)
            for child in crawls:
                with contextlib.suppress(psutil.Error):
                    child.kill()
