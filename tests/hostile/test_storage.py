"""Storage faults are failures (finding 9 and the low findings of the hostile-site review): a full disk,
a read-only file, a file that is not a govwatch database end a crawl ``failed`` with one clear line
and a non-zero exit, never ``partial`` with exit 0 while releases were dropped, and lose nothing
already stored; the read-only commands open the database read-only and work on a read-only file."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.hostile.kit import (
    HostileSite,
    govwatch,
    list_html,
    paragraphs,
    release_html,
    serving,
    serving_archive,
    site_config,
    without_file_override,
)

RELEASES = 300
PER_PAGE = 30
DISK_KIB = 600

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def hostile_site(site: HostileSite, n: int = RELEASES) -> set[str]:
    keys = set()
    for i in range(n):
        key = f"DISK-{i:04d}"
        site.page(f"/art/{i}.html", release_html(f"关于第{i}号文件的通知", key, paragraphs(12, str(i))))
        keys.add(key)
    pages = [list(range(i, min(i + PER_PAGE, n))) for i in range(0, n, PER_PAGE)]
    for p, numbers in enumerate(pages):
        nxt = f"/col/index_{p + 1}.html" if p + 1 < len(pages) else None
        path = "/col/index.html" if p == 0 else f"/col/index_{p}.html"
        site.page(path, list_html([(f"/art/{i}.html", str(i)) for i in numbers], next_href=nxt))
    return keys


@contextlib.contextmanager
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    """A folder on a 600 KB tmpfs (root), else one whose files may not grow past 600 KB (RLIMIT_FSIZE,
    for the crawl only): ``(folder, preexec_fn)``."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = False
    if os.geteuid() == 0:
        cmd = ["mount", "-t", "tmpfs", "-o", f"size={DISK_KIB}k", "tmpfs", str(disk)]
        mounted = subprocess.run(cmd, capture_output=True).returncode == 0
    if mounted:
        try:
            yield disk, None
        finally:
            subprocess.run(["umount", "-l", str(disk)], check=False)
        return

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (DISK_KIB * 1024, DISK_KIB * 1024))

    yield disk, limit


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def crawl(config: Path, preexec_fn: Any = None) -> tuple[subprocess.CompletedProcess[str], dict]:
    report = config.parent / "report.json"
    report.unlink(missing_ok=True)
    proc = govwatch(
        "crawl",
        "--config",
        str(config),
        "--no-notify",
        "--report-json",
        str(report),
        cwd=config.parent,
        preexec_fn=preexec_fn,
    )
    return proc, (json.loads(report.read_text()) if report.exists() else {"runs": [], "events": []})


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip()]


def test_a_full_disk_fails_the_run_in_one_line_and_loses_nothing(tmp_path: Path) -> None:
    site = HostileSite()
    with serving(site), small_disk(tmp_path) as (disk, limit):
        keys = hostile_site(site)
        db = disk / "govwatch.db"
        config = site_config(
            tmp_path, site, ["/col/index.html"], max_list_pages=20, top={"database": str(db)}
        )
        proc, report = crawl(config, limit)
        assert proc.returncode == 1, proc
        lines = stderr_lines(proc)
        assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert "failed" in lines[0] and str(db) in lines[0], lines
        assert any(s in lines[0] for s in ("is full", "disk I/O error", "largest file")), lines
        assert [r["status"] for r in report["runs"]] == ["failed"], report
        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        stored = {k for (k,) in rows(db, "SELECT key FROM releases")}
        assert stored < keys, len(stored)  # the disk filled before the end
        # the same database on a roomy disk: the next run stores everything, each release new once
        roomy = tmp_path / "govwatch.db"
        src, dst = sqlite3.connect(db), sqlite3.connect(roomy)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["database"] = str(roomy)
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        again, report = crawl(config)
    assert again.returncode == 0 and report["runs"][0]["status"] == "ok", again
    assert {k for (k,) in rows(roomy, "SELECT key FROM releases")} == keys
    news = Counter(k for (k,) in rows(roomy, "SELECT key FROM events WHERE type = 'new'"))
    assert set(news) == keys and set(news.values()) == {1}
    assert rows(roomy, "SELECT status FROM runs ORDER BY id")[-1] == ("ok",)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """A crawled archive (config, database, one release key); the site keeps serving."""
    tmp = tmp_path_factory.mktemp("readonly")
    site = HostileSite()
    with serving(site):
        hostile_site(site, 12)
        config = site_config(tmp, site, ["/col/index.html"])
        proc, report = crawl(config)
        assert proc.returncode == 0, proc
        site.page(
            "/art/3.html", release_html("关于第3号文件的通知（修订）", "DISK-0003", paragraphs(12, "3"))
        )
        proc, report = crawl(config)
        assert proc.returncode == 0 and any(e["type"] == "changed" for e in report["events"]), proc
        yield config, tmp / "govwatch.db", "DISK-0003"


READ_COMMANDS = [
    ("history", "{key}", "--db", "{db}"),
    ("diff", "{key}", "--db", "{db}"),
    ("releases", "--db", "{db}"),
    ("releases", "--search", "通知", "--db", "{db}"),
    ("report", "--config", "{config}", "--since", "2000-01-01"),
    ("report", "--config", "{config}", "--since", "2000-01-01", "--format", "json"),
    ("health", "--config", "{config}", "--json"),
]


@pytest.mark.parametrize("folder_too", [False, True], ids=["file", "file-and-folder"])
def test_read_only_commands_work_on_a_read_only_database_and_crawl_fails_in_one_line(
    archive: tuple[Path, Path, str], tmp_path: Path, folder_too: bool
) -> None:
    config, original, key = archive
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "govwatch.db"
    shutil.copy(original, db)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["database"] = str(db)
    ro_config = folder.parent / "config.yaml"
    ro_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = db.read_bytes()
    db.chmod(0o444)
    if folder_too:
        folder.chmod(0o555)
    try:
        values = {"key": key, "db": str(db), "config": str(ro_config)}
        for command in READ_COMMANDS:
            args = [part.format(**values) for part in command]
            proc = govwatch(*args, cwd=tmp_path, preexec_fn=without_file_override)
            assert proc.returncode == 0, (args, proc.stderr)
            assert "Traceback" not in proc.stderr and proc.stdout.strip(), (args, proc.stderr)
        with serving_archive("--db", str(db), cwd=tmp_path, preexec_fn=without_file_override) as server:
            rows_json = server.json("/govwatch/releases.json", _search="通知", _shape="array")
            assert any(r["key"] == key for r in rows_json)
        proc = govwatch(
            "crawl", "--config", str(ro_config), "--no-notify", cwd=tmp_path, preexec_fn=without_file_override
        )
        assert proc.returncode == 1, proc
        lines = stderr_lines(proc)
        assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert str(db) in lines[0] and ("read-only" in lines[0] or "permission" in lines[0]), lines
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert db.read_bytes() == before  # nothing wrote to it


@pytest.mark.parametrize("kind", ["text", "other-sqlite"])
def test_a_file_that_is_not_a_govwatch_database_is_refused_in_one_line(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "govwatch.db"
    if kind == "text":
        db.write_text("this is a shopping list, not a database\n" * 50)
        expected = "is not an SQLite database"
    else:
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.commit()
        conn.close()
        expected = "not a govwatch one"
    before = db.read_bytes()
    site = HostileSite()
    with serving(site):
        hostile_site(site, 3)
        config = site_config(tmp_path, site, ["/col/index.html"])
        runs = {
            "crawl": govwatch("crawl", "--config", str(config), "--no-notify", cwd=tmp_path),
            "history": govwatch("history", "DISK-0001", "--db", str(db), cwd=tmp_path),
            "releases": govwatch("releases", "--db", str(db), cwd=tmp_path),
            "report": govwatch("report", "--config", str(config), cwd=tmp_path),
            "health": govwatch("health", "--config", str(config), cwd=tmp_path),
            "serve": govwatch("serve", "--db", str(db), "--port", "0", cwd=tmp_path, timeout=60),
        }
    for name, proc in runs.items():
        assert proc.returncode in (1, 2), (name, proc)
        lines = stderr_lines(proc)
        assert len(lines) == 1 and "Traceback" not in proc.stderr, (name, proc.stderr)
        assert expected in lines[0] and str(db) in lines[0], (name, lines)
    assert runs["crawl"].returncode == 1 and runs["serve"].returncode == 2
    assert db.read_bytes() == before  # never migrated into a govwatch database
