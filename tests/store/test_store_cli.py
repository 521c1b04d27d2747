"""history, diff, releases, reparse as real subprocesses (`python -m crawler …`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.store import Store
from tests.records import BODY, INDEX_NO, SPAM, URL, ok, release

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

ROOT = Path(__file__).resolve().parents[2]


def govwatch(
    *args: str, cwd: Path = ROOT, now: str = "2026-11-28T09:00:00+08:00"
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "GOVWATCH_NOW": now}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "govwatch.db"
    with Store(path) as store:
        ok(store, release(), flags=[SPAM])
        ok(store, release(paragraphs=[BODY[0], BODY[1].replace("打造", "全力打造"), BODY[2]]))
        ok(
            store,
            release(index_no="other/2022-1", url="http://www.qz.gov.cn/other.html", title="关于衢州的通知"),
        )
    return path


def test_history_lists_versions_with_flags_and_changes(db):
    result = govwatch("history", URL, "--db", str(db))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert INDEX_NO in out and "v1" in out and "v2" in out
    assert "hidden_offsite_link (critical) 365bet.example" in out
    assert "changed: paragraphs" in out and "{+全力+}" in out


def test_diff_default_last_two_and_html(db):
    result = govwatch("diff", INDEX_NO, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "v1 → v2" in result.stdout and "{+全力+}打造" in result.stdout
    result = govwatch("diff", INDEX_NO, "--from", "1", "--to", "2", "--html", "--db", str(db))
    assert result.returncode == 0
    assert "<ins>全力</ins>" in result.stdout and "<del>" not in result.stdout
    assert "&#x2018;" in result.stdout or "&quot;" in result.stdout or "‘" in result.stdout


def test_diff_html_escapes_markup(tmp_path):
    path = tmp_path / "g.db"
    with Store(path) as store:
        ok(store, release(paragraphs=["<b>旧</b>"]))
        ok(store, release(paragraphs=["<script>alert(1)</script>"]))
    result = govwatch("diff", INDEX_NO, "--html", "--db", str(path))
    assert result.returncode == 0
    assert "<script" not in result.stdout and "<b>" not in result.stdout
    assert "script&gt;alert(1)&lt;/script" in result.stdout


def test_releases_lists_and_searches(db):
    result = govwatch("releases", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert INDEX_NO in result.stdout and "other/2022-1" in result.stdout
    result = govwatch("releases", "--search", "通知", "--db", str(db))
    header, *lines = result.stdout.strip().splitlines()
    assert header.split() == ["date", "key", "title", "status", "version", "site", "url"]
    assert len(lines) == 1 and "other/2022-1" in lines[0]
    result = govwatch("releases", "--site", "nowhere", "--db", str(db))
    assert result.stdout.strip() == "no releases match"


def test_releases_since_reads_dates_and_ages(db):
    result = govwatch("releases", "--since", "2022-09-14", "--format", "tsv", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 3  # the header and two releases
    assert (
        govwatch("releases", "--since", "2022-09-15", "--db", str(db)).stdout.strip() == "no releases match"
    )
    for since in ("today", "yesterday", "2d"):
        result = govwatch("releases", "--since", since, "--db", str(db), now="2022-09-15T10:00:00+08:00")
        assert (INDEX_NO in result.stdout) == (since != "today"), (since, result.stdout)
    result = govwatch("releases", "--since", "2022-09-31", "--db", str(db))
    assert result.returncode == 2 and "'2022-09-31' is not a date" in result.stderr


def test_default_database_is_in_the_working_directory(db):
    result = govwatch("releases", cwd=db.parent)
    assert result.returncode == 0 and INDEX_NO in result.stdout


def test_unknown_key_and_missing_database_exit_2_with_a_clear_message(db, tmp_path):
    result = govwatch("history", "no-such-key", "--db", str(db))
    assert result.returncode == 2
    assert "no-such-key" in result.stderr and "Traceback" not in result.stderr
    result = govwatch("diff", INDEX_NO, "--from", "7", "--db", str(db))
    assert result.returncode == 2 and "no version 7" in result.stderr
    missing = tmp_path / "nope.db"
    for args in (["history", INDEX_NO], ["diff", INDEX_NO], ["releases"], ["reparse"]):
        result = govwatch(*args, "--db", str(missing))
        assert result.returncode == 2, args
        assert f"database not found: {missing}" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()


def test_config_names_the_database(db, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {db.name}\n"
        "sites:\n"
        "  - name: quzhou\n"
        "    base_url: https://www.qz.gov.cn\n"
        "    profile: hanweb\n"
        "    columns:\n"
        "      - {name: 发布实录, url: https://www.qz.gov.cn/col/col1229037214/index.html}\n",
        encoding="utf-8",
    )
    result = govwatch("history", INDEX_NO, "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert INDEX_NO in result.stdout


def test_ack_marks_a_flag_reviewed(db):
    result = govwatch("ack", URL, "hidden_offsite_link", "--db", str(db))
    assert result.returncode == 2 and "unknown rule" in result.stderr  # only the integrity rules' names
    with Store(db) as store:
        store.db.execute(
            "UPDATE release_urls SET critical_flags = ? WHERE url = ?", ['[["hidden_links", "3 links"]]', URL]
        )
    result = govwatch("ack", URL, "hidden_links", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert INDEX_NO in result.stdout and "3 links" in result.stdout
    with Store(db) as store:
        assert [r["rule"] for r in store.db.query("SELECT rule FROM acks")] == ["hidden_links"]
    result = govwatch("ack", URL, "redirect", "--db", str(db))
    assert result.returncode == 2 and "no critical 'redirect' flag" in result.stderr
