"""Release pages judged in a worker process beside the crawl (``crawler.crawl.judging``): the same
releases, versions, flags and events as judged in the crawl process, and a worker that dies leaves
its pages to the crawl process — nothing is lost, the run ends ok."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from crawler.crawl.cores import AUTO_AFTER, cores
from crawler.demo.server import serve
from crawler.demo.site import SampleSite, build_site
from crawler.demo.story import add_reference_page
from tests.helpers import env_with, rows, run_crawl, site_entry, write_config

pytestmark = pytest.mark.slow  # real crawls in subprocesses

NOW = "2022-09-15T09:00:00+08:00"
WORKER = "crawler.crawl.judging"


def make_site(n: int) -> SampleSite:
    site = build_site(n, per_page=10)
    add_reference_page(site)  # defaced: flagged critical on first sight
    return site


def judged(db: Path) -> dict[str, list[dict]]:
    """What the crawl made of the pages, without ids, times or the raw bytes."""
    return {
        "releases": rows(
            db, "select key, index_no, title, url, status, content_hash from releases order by key"
        ),
        "versions": rows(
            db, "select key, version, content_hash, fields, body, flags from versions order by key"
        ),
        "events": rows(db, "select type, severity, key, url, flags, details from events order by key, type"),
        "fetches": rows(
            db, "select url, outcome, error_kind, not_release_reason, flags, key from fetches order by url"
        ),
    }


def workers_of(pid: int) -> list[psutil.Process]:
    found = []
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    for kid in kids:
        try:
            if WORKER in " ".join(kid.cmdline()):
                found.append(kid)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def judged_some(db: Path, pages: int = 5) -> bool:
    """Whether the crawl has stored ``pages`` releases yet."""
    try:
        return len(rows(db, "select key from releases")) >= pages
    except Exception:  # not created yet, or locked for a moment
        return False


def crawl_watched(config: Path, *args: str, kill_worker: bool = False) -> tuple[int, str, bool]:
    """``govwatch crawl`` (with ``args``): its exit status, its stderr, and whether a judging worker
    was seen (and, with ``kill_worker``, SIGKILLed as soon as it was)."""
    cmd = [sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--no-notify", *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_with(NOW), cwd=config.parent
    )
    seen = False
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        found = workers_of(proc.pid)
        if found and not seen:
            seen = not kill_worker or judged_some(config.parent / "govwatch.db")
            if seen and kill_worker:  # once it has judged a few pages
                for worker in found:
                    worker.kill()
        time.sleep(0.02)
    _out, err = proc.communicate(timeout=60)
    return proc.returncode, err, seen


@pytest.mark.timeout(600)
def test_the_worker_judges_pages_exactly_as_the_crawl_process_does(tmp_path: Path) -> None:
    site = make_site(60)
    site.latency = 0.01  # type: ignore[attr-defined]  # long enough to see the worker at work
    with serve(site) as server:
        entry = site_entry(server.url, site)
        (tmp_path / "here").mkdir()
        (tmp_path / "there").mkdir()
        here, there = write_config(tmp_path / "here", [entry]), write_config(tmp_path / "there", [entry])
        by_crawl = run_crawl(here, "--no-judge-worker", now=NOW)
        assert by_crawl.returncode == 0 and by_crawl.run["status"] == "ok", by_crawl
        returncode, err, seen = crawl_watched(there, "--judge-worker")
    assert returncode == 0, err
    assert seen, "no judging worker ran"
    a, b = judged(tmp_path / "here" / "govwatch.db"), judged(tmp_path / "there" / "govwatch.db")
    assert len(a["releases"]) == 61 and len(a["versions"]) == 61
    assert any(e["type"] == "tampered" for e in a["events"])
    for table in a:
        assert a[table] == b[table], table


@pytest.mark.timeout(600)
def test_a_worker_that_dies_leaves_its_pages_to_the_crawl_process(tmp_path: Path) -> None:
    site = make_site(150)
    site.latency = 0.1  # type: ignore[attr-defined]  # the crawl goes on for seconds after the kill
    with serve(site) as server:
        config = write_config(tmp_path, [site_entry(server.url, site)])
        returncode, err, seen = crawl_watched(config, "--judge-worker", kill_worker=True)
    db = tmp_path / "govwatch.db"
    assert seen, "no judging worker ran"
    assert returncode == 0, err
    assert "judging worker stopped" in err, err
    [run] = rows(db, "select status from runs")
    assert run["status"] == "ok"
    assert len(rows(db, "select key from releases")) == 151
    assert rows(db, "select url from fetches where outcome != 'ok'") == []
    assert len(rows(db, "select id from events where type = 'tampered'")) == 1


@pytest.mark.timeout(600)
def test_by_default_only_a_crawl_of_many_pages_starts_a_worker(tmp_path: Path) -> None:
    """``crawl.judge_worker: auto``: a crawl that judges fewer than ``AUTO_AFTER`` pages never pays
    for a worker process; one that judges more hands the rest to a worker and stores every page."""
    if cores() < 2:
        pytest.skip("a judging worker needs a second CPU core, and this process may use one")
    small, large = build_site(AUTO_AFTER // 2, per_page=10), make_site(AUTO_AFTER + 50)
    for site in (small, large):
        site.latency = 0.1  # type: ignore[attr-defined]  # the crawl goes on for seconds past AUTO_AFTER
    for name, site, worker in (("small", small, False), ("large", large, True)):
        (tmp_path / name).mkdir()
        with serve(site) as server:
            config = write_config(tmp_path / name, [site_entry(server.url, site)])
            returncode, err, seen = crawl_watched(config)
        assert returncode == 0, err
        assert seen is worker, (name, err)
        assert "judging worker stopped" not in err, err  # its end at the crawl's end is no death
        db = tmp_path / name / "govwatch.db"
        assert [r["status"] for r in rows(db, "select status from runs")] == ["ok"]
        assert len(rows(db, "select key from releases")) == len(site.all_pages())
