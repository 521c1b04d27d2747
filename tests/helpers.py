"""Shared helpers for end-to-end tests: configs for local sites, crawls as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FAST = {"download_delay": 0, "autothrottle": False, "concurrency_per_host": 8, "obey_robots": True}


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
    env = dict(os.environ)
    env.pop("GOVWATCH_NOW", None)
    if now:
        env["GOVWATCH_NOW"] = now
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
