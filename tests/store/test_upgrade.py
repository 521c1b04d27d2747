"""Upgrading loses nothing and alerts nothing: an archive written by an older normalizer, crawled by
the current code with nothing changed on the site, gives no event; re-keyed releases keep their
history, URLs and events under their 索引号."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from crawler import clock
from crawler.demo.site import SampleSite
from crawler.model import Flag, Release
from crawler.normalize import NORMALIZER_VERSION, normalize
from crawler.store import Store
from tests.helpers import run_crawl
from tests.records import URL, ok

ARCHIVE = Path(__file__).resolve().parents[1] / "fixtures" / "archives" / "demo-main-3e634d3.db"
ARCHIVE_NOW = "2026-11-28T09:00:00+08:00"
ARCHIVE_BASE = "http://127.0.0.1:46829"


def _move_site(db: Path, old: str, new: str) -> None:
    """The archive's sample site ran on a port of its own; the test's server has another. Rewrite
    ``old`` to ``new`` in every text column (keys, URLs, JSON) — nothing else changes."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            if table.startswith("releases_fts") or table.startswith("_"):
                continue
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[2].upper() == "TEXT"]
            for column in columns:
                conn.execute(f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?)', [old, new])
        conn.execute("UPDATE releases_fts SET key = replace(key, ?, ?)", [old, new])


def _config(tmp_path: Path, base: str, db: Path) -> Path:
    data = {
        "database": str(db),
        "sites": [
            {
                "name": "demo",
                "base_url": base,
                "aliases": ["www.qz.gov.cn"],
                "profile": "hanweb",
                "columns": [
                    {"name": "发布实录", "url": f"{base}/col/col1229037214/index.html", "kind": "news"},
                    {"name": "通知公告", "url": f"{base}/col/col1229037215/index.html", "kind": "notice"},
                ],
                "revisit": "always",
                "politeness": {
                    "download_delay": 0,
                    "autothrottle": False,
                    "concurrency_per_host": 8,
                    "obey_robots": True,
                },
            }
        ],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow  # a real crawl
@pytest.mark.timeout(300)
def test_archive_of_the_previous_release_crawled_unchanged_gives_no_event(tmp_path, monkeypatch):
    from crawler.demo.server import serve

    db = tmp_path / "govwatch.db"
    shutil.copyfile(ARCHIVE, db)
    monkeypatch.setenv("GOVWATCH_NOW", ARCHIVE_NOW)
    site = _previous_demo_site()  # the same pages, dated from the same "now"
    with sqlite3.connect(db) as conn:
        before_events = conn.execute("SELECT id, type, key FROM events ORDER BY id").fetchall()
        before_versions = conn.execute("SELECT key, version FROM versions ORDER BY key, version").fetchall()
        assert {r[0] for r in conn.execute("SELECT DISTINCT normalizer_version FROM versions")} == {1}
    with serve(site) as server:
        _move_site(db, ARCHIVE_BASE, server.url)
        result = run_crawl(_config(tmp_path, server.url, db), now=ARCHIVE_NOW)
    assert result.proc.returncode == 0, result.proc.stderr[-3000:]
    (run,) = result.report["runs"]
    assert run["status"] == "ok" and run["requests"] > 37  # every release was fetched again
    assert result.report["events"] == [], [(e["type"], e["key"]) for e in result.report["events"]]
    with sqlite3.connect(db) as conn:
        assert {r[0] for r in conn.execute("SELECT DISTINCT normalizer_version FROM versions")} == {
            NORMALIZER_VERSION
        }
        after_events = conn.execute("SELECT id, type, key FROM events ORDER BY id").fetchall()
        after_versions = conn.execute("SELECT key, version FROM versions ORDER BY key, version").fetchall()
    assert after_events == before_events  # history kept, nothing added
    assert after_versions == before_versions


def _previous_demo_site() -> SampleSite:
    """The site the archive was crawled from: the demo of that release (one Hanweb site, two columns,
    the defaced reference page among 发布实录). The demo has grown since; the archive has not."""
    from crawler.demo.story import add_reference_page

    site = SampleSite(noise=True)
    site.add_column("1229037214", "发布实录", form="new", per_page=10)
    site.add_column("1229037215", "通知公告", form="old", per_page=5)
    today = clock.now().date()
    for i in range(24):
        site.add_page("1229037214", day=today - timedelta(days=1 + i * 4), top=False)
    add_reference_page(site, top=False)
    site.columns["1229037214"].pages.sort(key=lambda p: p.day, reverse=True)
    for i in range(12):
        site.add_page(
            "1229037215",
            day=today - timedelta(days=2 + i * 6),
            top=False,
            attachments=[("附件1.pdf", f"/module/download/downfile.jsp?classid=0&filename={i}.pdf")]
            if i % 4 == 0
            else None,
        )
    return site


HIDDEN_INDEX_PAGE = """<html><head><meta charset="utf-8"><title>关于做好防汛工作的通知_某市人民政府</title></head>
<body><table class="bd1"><tr><td><b>索&nbsp;引&nbsp;号：</b></td><td>000014349/2024-00007</td></tr></table>
<div id="zoom"><p>各县（市、区）人民政府：</p><p>现将有关事项通知如下。</p></div></body></html>"""


def _as_old_normalizer_stored(store: Store, url: str, html: str, *, run: int | None = None) -> Release:
    """Store a page the way normalizer v1 did: it missed this block's 索引号, so the key was ``url:``."""
    rel = normalize(html.encode(), url)
    assert rel.index_no == "000014349/2024-00007"  # what the current normalizer reads
    old = Release.from_dict({**rel.to_dict(), "index_no": None, "normalizer_version": 1})
    ok(store, old, run)
    store.db.execute("UPDATE fetches SET raw_html = NULL")
    with store.transaction():
        store.db.execute("UPDATE versions SET raw_html = ? WHERE url = ?", [_zstd(html.encode()), url])
    return old


def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


def _rederive(raw: bytes, url: str) -> tuple[Release | None, list[Flag]]:
    return normalize(raw, url), []


def test_a_release_stored_by_url_is_renamed_to_its_index_number(store):
    old = _as_old_normalizer_stored(store, URL, HIDDEN_INDEX_PAGE)
    assert store.release(URL)["key"] == old.key == "url:" + URL
    stats = store.upgrade("quzhou", NORMALIZER_VERSION, _rederive)
    assert stats["renamed"] == 1
    rel = store.release(URL)
    assert rel["key"] == rel["index_no"] == "000014349/2024-00007"
    assert [e.key for e in store.events()] == ["000014349/2024-00007"]  # its `new` event moved along
    assert [r["key"] for r in store.search("防汛工作")] == ["000014349/2024-00007"]
    assert not store.outdated("quzhou", NORMALIZER_VERSION)
    again = normalize(HIDDEN_INDEX_PAGE.encode(), URL)
    assert ok(store, again) == []  # crawled again unchanged: nothing to report


def test_a_release_stored_by_url_merges_into_its_index_number(store):
    other = "http://www.qz.gov.cn/art/2024/1/2/copy.html"
    _as_old_normalizer_stored(store, URL, HIDDEN_INDEX_PAGE)
    # the same document, stored earlier by its 索引号 from another URL
    first = normalize(HIDDEN_INDEX_PAGE.encode(), other)
    ok(store, first)
    store.db.execute("UPDATE versions SET normalizer_version = 1")
    stats = store.upgrade("quzhou", NORMALIZER_VERSION, _rederive)
    assert stats["merged"] == 1
    rel = store.release("000014349/2024-00007")
    assert set(store.release_urls(rel["key"])) == {URL, other}
    assert store.db.execute("SELECT count(*) FROM releases").fetchone()[0] == 1
    assert [v["version"] for v in store.history(rel["key"])] == [1, 2]
    assert {e.key for e in store.events()} == {"000014349/2024-00007"}
    assert ok(store, normalize(HIDDEN_INDEX_PAGE.encode(), URL)) == []
    assert ok(store, normalize(HIDDEN_INDEX_PAGE.encode(), other)) == []
