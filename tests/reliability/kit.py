"""Shared pieces of the reliability tests and of ``bench/soak.py``: fault tables, database reads,
and the checks that say "no fault became an alert, nothing stored was lost"."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from crawler.demo.site import SampleSite, build_site

#: events that claim something happened to a release's content or existence
CONTENT_EVENTS = ("new", "changed", "removed", "restored", "conflict", "tampered")

#: fault kind served on a known release's page → the ``error_kind`` its failed fetch must carry
#: (``not_release`` fetches also carry the page's ``not_release_reason``, second item)
DETAIL_FAULTS: dict[str, tuple[str, str | None]] = {
    "500": ("http_500", None),
    "503": ("http_503", None),
    "waf": ("not_release", "waf"),
    "login": ("not_release", "login"),
    "maintenance": ("not_release", "error_page"),
    "412": ("http_412", None),
    "521": ("http_521", None),
    "redirect_offsite": ("redirect_offsite", None),
    "redirect_login": ("not_release", "login"),
    "redirect_loop": ("redirect_loop", None),
    "reset": ("connection", None),
    "slow": ("timeout", None),
    "drip": ("timeout", None),
    "truncated": ("truncated", None),
    "huge": ("too_large", None),
    "nested_deep": ("not_release", "empty"),  # deeper than the normalizer reads: never a release
}
#: faults that serve the same release differently: the fetch succeeds with the same content hash
BENIGN_FAULTS = ("gbk_as_utf8", "unlabelled_gbk", "nested", "malformed")

#: seconds the ``slow`` fault holds a connection open (longer than the download timeout used here)
SLOW_SECONDS = 8.0
#: a run bound that keeps the download timeout at 5 s (crawler/crawl/settings.py)
FAULT_RUN_DURATION = "30s"


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db, timeout=60)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db, timeout=60)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def snapshot(db: Path) -> dict[str, Any]:
    """What a fault must never change: releases' current versions and hashes, and every version."""
    return {
        "releases": {
            r["key"]: (r["current_version"], r["content_hash"], r["status"])
            for r in rows(db, "SELECT key, current_version, content_hash, status FROM releases")
        },
        "versions": {
            (r["key"], r["version"]): r["content_hash"]
            for r in rows(db, "SELECT key, version, content_hash FROM versions")
        },
    }


def run_fetches(db: Path, run_id: int) -> dict[str, dict[str, Any]]:
    """The run's fetches by URL (the last one of a URL wins)."""
    return {r["url"]: r for r in rows(db, "SELECT * FROM fetches WHERE run_id = ? ORDER BY id", (run_id,))}


def content_events(report_events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in report_events if e["type"] in CONTENT_EVENTS]


def site_keys(site: SampleSite) -> set[str]:
    return {p.index_no for col in site.columns.values() for p in col.pages if p.index_no}


def fault_site(n: int = 26) -> SampleSite:
    """A small Hanweb site, validators off (every revisit is a full 200 the faults can rewrite)."""
    site = build_site(n, per_page=10)
    site.validators = False
    site.slow_seconds = SLOW_SECONDS  # type: ignore[attr-defined]
    return site


def crawl_cmd(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--no-notify", *args]


def kill_trial(config: Path, db: Path, delay: float, *, timeout: float = 300) -> dict[str, Any]:
    """Start a crawl, SIGKILL it after ``delay`` seconds (if still running); report what happened."""
    env = dict(os.environ)
    env.pop("GOVWATCH_NOW", None)
    proc = subprocess.Popen(
        crawl_cmd(config), cwd=config.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    killed = False
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        killed = True
        proc.wait(timeout=timeout)
    return {"killed": killed, "delay": delay, "returncode": proc.returncode}


def new_event_counts(db: Path) -> Counter[str]:
    return Counter(r["key"] for r in rows(db, "SELECT key FROM events WHERE type = 'new'"))


def wait_until(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
