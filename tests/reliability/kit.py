"""Shared pieces of the reliability tests and of ``bench/soak.py``: fault tables, database reads,
and the checks that say "no fault became an alert, nothing stored was lost"."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from crawler.demo.server import serve
from crawler.demo.site import SampleSite, build_site
from tests.helpers import env_with, rows, run_crawl, site_entry, write_config

#: "now" for crawls of the sample site (its releases are dated up to 2022-09-14): nothing is stale
NOW = "2022-09-15T09:00:00+08:00"

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
    "huge_unsized": ("too_large", None),  # no Content-Length: cut off once 20 MB have arrived
    "nested_deep": ("not_release", "empty"),  # deeper than the normalizer reads: never a release
}
#: faults that serve the same release differently: the fetch succeeds with the same content hash
BENIGN_FAULTS = ("gbk_as_utf8", "unlabelled_gbk", "nested", "malformed")

#: seconds the ``slow`` fault holds a connection open (longer than the download timeout used here)
SLOW_SECONDS = 8.0
#: a run bound that keeps the download timeout at 5 s (crawler/crawl/settings.py)
FAULT_RUN_DURATION = "30s"


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
    return {r["url"]: r for r in rows(db, "SELECT * FROM fetches WHERE run_id = ? ORDER BY id", run_id)}


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


def start_crawl(config: Path, *args: str, now: str | None = NOW) -> subprocess.Popen[bytes]:
    env = env_with(now)
    log = config.parent / f"crawl-{os.urandom(3).hex()}.log"
    with open(log, "wb") as out:  # kept beside the config: a failing test names it
        proc = subprocess.Popen(crawl_cmd(config, *args), cwd=config.parent, env=env, stdout=out, stderr=out)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def kill_after(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` seconds unless it ended first; True when it was killed."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        return True


def kill_when(proc: subprocess.Popen[bytes], predicate: Any, timeout: float = 120) -> bool:
    """SIGKILL ``proc`` as soon as ``predicate()`` holds (polled); True when it was killed."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            hit = predicate()
        except sqlite3.Error:  # the file or its tables do not exist yet, or are locked
            hit = False
        if hit:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            return True
        time.sleep(0.01)
    return False


def fetch_count(db: Path, after_run: int) -> int:
    """Fetches recorded by runs after ``after_run`` (0 while the file or its tables do not exist:
    a crawl killed while it created the database)."""
    try:
        return rows(db, "SELECT count(*) AS n FROM fetches WHERE run_id > ?", after_run)[0]["n"]
    except sqlite3.OperationalError:
        return 0


def last_run(db: Path) -> int:
    try:
        return rows(db, "SELECT coalesce(max(id), 0) AS n FROM runs")[0]["n"]
    except sqlite3.OperationalError:
        return 0


def kill_trial(workdir: Path, rng: random.Random, *, variant: str) -> dict[str, Any]:
    """One crawl SIGKILLed at a random moment, then a clean re-crawl; returns what went wrong.

    ``baseline``: the kill hits the first crawl of a 40-release site. ``update``: a clean first
    crawl, then 6 new releases and one edit, and the kill hits the crawl that should find them.
    After the re-crawl the database must pass ``PRAGMA integrity_check``, hold exactly the site's
    releases, and hold one ``new`` event per release, one ``changed`` for the edit, nothing else.
    """
    site = build_site(40, per_page=5, noise=True)
    problems: list[str] = []
    with serve(site) as server:
        config = write_config(workdir, [site_entry(server.url, site, revisit="always")])
        db = workdir / "govwatch.db"
        added: set[str] = set()
        edited: str | None = None
        if variant == "update":
            first = run_crawl(config, now=NOW)
            if first.run.get("status") != "ok":
                problems.append(
                    f"clean first crawl: rc={first.returncode} stderr={first.proc.stderr[-2500:]}"
                )
            for i in range(6):
                cid = list(site.columns)[i % 2]
                page = site.add_page(cid, day=date(2022, 9, 15))
                added.add(page.index_no or "")
            victim = site.columns[list(site.columns)[1]].pages[-3]
            site.edit(victim.id, None, "（本文已于近日修订）")
            edited = victim.index_no
        site.latency = 0.05  # type: ignore[attr-defined]  # spread the crawl over a second or so
        before_run = last_run(db)
        proc = start_crawl(config)
        if rng.random() < 0.5:  # at a random moment: starting up, migrating, crawling, or done
            when: Any = round(rng.uniform(0.1, 1.6), 2)
            killed = kill_after(proc, when)
        else:  # after a random number of recorded fetches: mid-crawl for sure
            when = f"{rng.randint(1, 45)} fetches"
            target = int(when.split()[0])
            killed = kill_when(proc, lambda: fetch_count(db, before_run) >= target)
        progress = fetch_count(db, before_run)
        site.latency = 0.0  # type: ignore[attr-defined]
        check = integrity(db) if db.exists() else "ok"
        if check != "ok":
            problems.append(f"integrity_check after the kill: {check}")
        again = run_crawl(config, now=NOW)
        if again.returncode != 0 or again.run.get("status") != "ok":
            problems.append(
                f"re-crawl: rc={again.returncode} runs={again.report['runs']} stderr={again.proc.stderr[-2500:]}"
            )
        check = integrity(db)
        if check != "ok":
            problems.append(f"integrity_check after the re-crawl: {check}")
        keys = {r["key"] for r in rows(db, "SELECT key FROM releases WHERE status = 'live'")}
        if keys != site_keys(site):
            problems.append(
                f"releases: missing {sorted(site_keys(site) - keys)}, extra {sorted(keys - site_keys(site))}"
            )
        events = rows(db, "SELECT type, key, baseline FROM events")
        news = Counter(e["key"] for e in events if e["type"] == "new")
        twice = sorted(k for k, n in news.items() if n != 1)
        if twice or set(news) != site_keys(site):
            problems.append(f"new events: repeated {twice}, missing {sorted(site_keys(site) - set(news))}")
        wrong_baseline = sorted(
            e["key"] for e in events if e["type"] == "new" and bool(e["baseline"]) == (e["key"] in added)
        )
        if wrong_baseline:
            problems.append(f"new events with the wrong baseline flag: {wrong_baseline}")
        changed = [e["key"] for e in events if e["type"] == "changed"]
        if changed != ([edited] if edited else []):
            problems.append(f"changed events: {changed} (edited: {edited})")
        others = sorted({e["type"] for e in events} - {"new", "changed", "stale_column"})
        if others:
            problems.append(f"unexpected events: {others}")
    return {
        "variant": variant,
        "when": when,
        "killed": killed,
        "fetches_at_kill": progress,
        "problems": problems,
    }


def new_event_counts(db: Path) -> Counter[str]:
    return Counter(r["key"] for r in rows(db, "SELECT key FROM events WHERE type = 'new'"))


def wait_until(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
