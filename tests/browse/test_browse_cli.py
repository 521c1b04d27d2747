"""``govwatch serve`` usage errors, and the pure pieces of the browse layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.browse.metadata import build_metadata
from crawler.browse.plugin import bigram_query
from crawler.browse.queries import canned_queries


def serve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def test_missing_database_is_named_and_exits_2(tmp_path: Path) -> None:
    proc = serve("--db", str(tmp_path / "nowhere.db"), "--port", "1", cwd=tmp_path)
    assert proc.returncode == 2
    assert "database not found" in proc.stderr and "nowhere.db" in proc.stderr


def test_default_database_is_govwatch_db_in_the_working_directory(tmp_path: Path) -> None:
    proc = serve("--port", "1", cwd=tmp_path)
    assert proc.returncode == 2 and "govwatch.db" in proc.stderr


def test_missing_config_exits_2(tmp_path: Path) -> None:
    proc = serve("--config", str(tmp_path / "config.yaml"), cwd=tmp_path)
    assert proc.returncode == 2 and "config.yaml" in proc.stderr


def test_bigram_query_never_gives_an_empty_match() -> None:
    assert bigram_query("衢州") == '"衢州"'
    assert bigram_query("数字化改革") == '"数字 字化 化改 改革"'
    assert bigram_query("") == '""' and bigram_query(None) == '""' and bigram_query("，。") == '""'


def test_metadata_is_keyed_by_the_database_name() -> None:
    meta = build_metadata("demo")
    assert list(meta["databases"]) == ["demo"]
    assert meta["plugins"]["govwatch"]["database"] == "demo"
    assert '<a href="/demo/search">' in meta["description_html"]
    assert set(meta["databases"]["demo"]["queries"]) >= {
        "search",
        "latest_events",
        "history",
        "changed_recently",
        "tampered",
        "failing",
    }
    assert all(":q" in q["sql"] for name, q in canned_queries().items() if name == "search")
