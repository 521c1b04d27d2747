"""The one test kit every folder shares: the project's own contracts and reference page, configs for
local sites, crawls as real subprocesses, the environment they run in, reads of the database they
write, free ports. (The shared real-page corpus is found only through ``tests/corpus.py``.)"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
#: the project's own JSON Schemas of its outputs (shipped in the package)
SCHEMA_DIR = REPO / "crawler" / "schemas"
#: the defaced Quzhou reference page (a copy of the seed page) and the URL it was published at
REFERENCE_PAGE = FIXTURES / "quzhou-fabushilu-2022-09-14.defaced.html"
REFERENCE_URL = "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
#: the sample site's two column ids (crawler/demo/site.py): 发布实录 and 通知公告
NEWS, NOTICES = "1229037214", "1229037215"
FAST = {"download_delay": 0, "autothrottle": False, "concurrency_per_host": 8, "obey_robots": True}


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """``crawler/schemas/NAME.schema.json``: ``release`` (parse --json), ``report`` (crawl --report-json)."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def env_with(now: str | None = None, **extra: str) -> dict[str, str]:
    """This process's environment for a govwatch subprocess, its clock at ``now`` (else the real one)."""
    env = dict(os.environ)
    env.pop("GOVWATCH_NOW", None)
    if now:
        env["GOVWATCH_NOW"] = now
    env.update(extra)
    return env


def rows(db: Path, sql: str, *params: Any, missing_ok: bool = False) -> list[dict[str, Any]]:
    """A read of the database a subprocess writes, as dicts. ``missing_ok``: no file or no such table
    yet (the process has not created them) reads as no rows instead of raising."""
    if not db.exists():
        if missing_ok:
            return []
        raise sqlite3.OperationalError(f"no database at {db}")
    conn = sqlite3.connect(db, timeout=60)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        if missing_ok and "no such table" in str(exc):
            return []
        raise
    finally:
        conn.close()


def value(db: Path, sql: str, *params: Any) -> Any:
    """The first column of the first row of a read (``select count(*) …``)."""
    return next(iter(rows(db, sql, *params)[0].values()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def site_entry(base_url: str, site: Any, name: str = "local", **overrides: Any) -> dict[str, Any]:
    """A config ``sites:`` item for a :class:`SampleSite` served at ``base_url``."""
    entry: dict[str, Any] = {
        "name": name,
        "base_url": base_url,
        "profile": site.profile,
        "columns": [
            # kind "other" is never stale: sample sites are dated 2022 (tests/health judges staleness)
            {"name": c.name, "url": base_url + site.column_url(c.id), "kind": "other"}
            for c in site.columns.values()
        ],
        "politeness": dict(FAST),
        "link_check": {"allow_private": True},  # local sites: their links point to 127.0.0.1
    }
    if site.profile == "generic":
        entry["generic"] = {"item_links": "ul.newslist li a", "next_page": "div.pager a.next"}
    entry.update(overrides)
    return entry


def write_config(tmp_path: Path, sites: list[dict[str, Any]], **top: Any) -> Path:
    data: dict[str, Any] = {"database": str(tmp_path / "govwatch.db"), "sinks": [{"type": "console"}]}
    data.update(top)
    data["sites"] = sites
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class CrawlResult:
    def __init__(self, proc: subprocess.CompletedProcess[str], report: dict[str, Any] | None) -> None:
        self.proc = proc
        self.returncode = proc.returncode
        self.report = report or {"runs": [], "events": []}

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.report["events"]

    def types(self, *, baseline: bool | None = None) -> list[str]:
        return sorted(e["type"] for e in self.events if baseline is None or e["baseline"] == baseline)

    @property
    def run(self) -> dict[str, Any]:
        return self.report["runs"][0]

    def __repr__(self) -> str:
        return f"<crawl rc={self.returncode} events={self.types()} out={self.proc.stdout[-2000:]} err={self.proc.stderr[-3000:]}>"


def run_crawl(
    config: Path, *args: str, now: str | None = None, timeout: float = 300, notify: bool = False
) -> CrawlResult:
    """``python -m crawler crawl`` as a real subprocess (Twisted's reactor cannot restart in-process)."""
    report = config.parent / f"report-{os.urandom(4).hex()}.json"
    env = env_with(now)
    cmd = [
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        "--config",
        str(config),
        "--report-json",
        str(report),
        *args,
    ]
    if not notify:
        cmd.append("--no-notify")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=config.parent)
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
    return CrawlResult(proc, data)


def batch_children(pid: int) -> list[psutil.Process]:
    """The batch crawl processes (``--batch-child``) that process ``pid`` (``govwatch crawl`` or the
    daemon) has running."""
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for kid in kids:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
            if "--batch-child" in kid.cmdline():
                found.append(kid)
    return found
