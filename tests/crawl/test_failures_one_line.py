"""A network failure, a DNS failure, a refused connection, a TLS error or a robots refusal is one log
line naming the site, the URL and the reason — no Scrapy or Twisted traceback — and the crawl's summary
says why each run failed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.helpers import FAST, env_with, free_port

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def site(name: str, base: str, column: str, profile: str = "hanweb") -> dict:
    return {
        "name": name,
        "base_url": base,
        "profile": profile,
        "politeness": dict(FAST),
        "columns": [{"name": "栏目", "url": base + column}],
    }


@pytest.mark.timeout(240)
def test_each_failure_is_one_line_and_the_summary_says_why(tmp_path: Path) -> None:
    robots_site = build_site(5, per_page=5)
    robots_site.robots = "User-agent: *\nDisallow: /col/\n"
    page_site = build_site(6, per_page=5)
    failing = page_site.columns["1229037214"].pages[0]
    page_site.fault(page_site.page_path(failing), sticky="500")
    closed = free_port()  # nothing listens there
    with serve(robots_site) as robots, serve(build_site(5, per_page=5)) as plain, serve(page_site) as pages:
        https = plain.url.replace("http://", "https://")  # TLS to a server that speaks plain HTTP
        column = "/col/col1229037214/index.html"
        urls = {
            "refused": f"http://127.0.0.1:{closed}{column}",
            "nodns": "http://nonexistent.invalid/a/index.html",
            "robots": robots.url + column,
            "tls": https + column,
        }
        sites = [
            site("refused", f"http://127.0.0.1:{closed}", column),
            site("nodns", "http://nonexistent.invalid", "/a/index.html", "trs"),
            site("robots", robots.url, column),
            site("tls", https, column),
            site("pages", pages.url, column),
        ]
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({"database": "govwatch.db", "sites": sites}), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "--format", "json", "--no-notify"],
            capture_output=True,
            text=True,
            timeout=200,
            cwd=tmp_path,
            env=env_with(),
        )
    assert proc.returncode == 1, proc.stderr  # failed runs
    err = proc.stderr
    assert "Traceback" not in err and "Gave up retrying" not in err and " ERROR" not in err, err
    reasons = {
        "refused": "connection refused",
        "nodns": "DNS lookup failed (no such host)",
        "robots": "forbidden by robots.txt",
        "tls": "TLS error",
    }
    lines = err.strip().splitlines()
    for name, reason in reasons.items():
        mine = [line for line in lines if f"{name}: " in line]
        assert len(mine) == 1, (name, err)
        assert f"{name}: list page {urls[name]}: {reason}" in mine[0]
    failing_url = pages.url + page_site.page_path(failing)
    assert [line for line in lines if "pages: " in line] == [
        line for line in lines if line.endswith(f"pages: {failing_url}: HTTP 500")
    ]
    assert len([line for line in lines if "pages: " in line]) == 1
    assert len(lines) == 5, err  # one line per failure, nothing else

    summary = {row["site"]: row for row in json.loads(proc.stdout[proc.stdout.index("[") :])}
    for name, reason in reasons.items():
        assert summary[name]["status"] == "failed"
        assert summary[name]["reason"].startswith(f"list page: {reason}"), summary[name]
    assert summary["pages"]["status"] == "partial"
    assert summary["pages"]["reason"] == "1 page failed: HTTP 500"


@pytest.mark.timeout(120)
def test_the_summary_table_is_not_cut_when_piped(tmp_path: Path) -> None:
    sample = build_site(3, per_page=5)
    with serve(sample) as server:
        entry = site("a-rather-long-site-name", server.url, "/col/col1229037214/index.html")
        (tmp_path / "config.yaml").write_text(yaml.safe_dump({"database": "g.db", "sites": [entry]}))
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "--no-notify"],
            capture_output=True,
            text=True,
            timeout=100,
            cwd=tmp_path,
            env=env_with(),
        )
    assert proc.returncode == 0, proc.stderr
    header = next(line for line in proc.stdout.splitlines() if line.startswith("site"))
    assert header.split() == [
        "site",
        "run",
        "status",
        "requests",
        "new",
        "changed",
        "removed",
        "tampered",
        "failed",
        "reason",
    ]
    assert "…" not in proc.stdout and "┃" not in proc.stdout
    row = next(line for line in proc.stdout.splitlines() if line.startswith("a-rather-long-site-name"))
    assert row.split()[:5] == ["a-rather-long-site-name", "1", "ok", row.split()[3], "2"]  # 2 releases in it
