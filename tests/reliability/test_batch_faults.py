"""The fault matrix inside a batch: faults served by some sites of one crawl process — every fault a
release page can carry, a failing list page, a site down, a JavaScript cookie wall — end those
sites' runs with the right status, reason and failed fetches, and raise no content event; the other
sites of the same process are untouched (``ok``, every release, their own events). A full disk
under a batch fails the runs whose writes it refused, loses nothing committed, and the next crawl
on a roomy disk completes every site."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import rows, write_config
from tests.hostile.test_storage import small_disk
from tests.reliability.batchkit import batch_site, crawl, entries, keys_of, serving
from tests.reliability.kit import (
    BENIGN_FAULTS,
    DETAIL_FAULTS,
    FAULT_RUN_DURATION,
    SLOW_SECONDS,
    content_events,
    integrity,
    run_fetches,
)

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def site_snapshot(db: Path, site: str) -> dict[str, Any]:
    """A site's releases (current version, hash, status) and every version's hash."""
    releases = rows(
        db, "SELECT key, current_version, content_hash, status FROM releases WHERE site = ?", site
    )
    versions = rows(
        db,
        "SELECT v.key, v.version, v.content_hash FROM versions v JOIN releases r ON r.key = v.key WHERE r.site = ?",
        site,
    )
    return {
        "releases": {r["key"]: (r["current_version"], r["content_hash"], r["status"]) for r in releases},
        "versions": {(v["key"], v["version"]): v["content_hash"] for v in versions},
    }


@pytest.mark.timeout(900)
def test_faults_of_some_sites_of_a_batch_leave_the_others_untouched(tmp_path: Path) -> None:
    n_pages = len(DETAIL_FAULTS) + len(BENIGN_FAULTS) + 1
    sites = {
        "clean0": batch_site(6, 0),
        "pages": batch_site(n_pages, 2),  # Hanweb: every release-page fault, one list page failing
        "clean1": batch_site(6, 1),
        "down": batch_site(6, 3),  # the whole site answers 503
        "walled": batch_site(6, 4),  # both list pages behind a JavaScript cookie wall
    }
    faulty = ("pages", "down", "walled")
    sites["pages"].validators = False  # every revisit a full answer the faults can rewrite
    sites["pages"].slow_seconds = SLOW_SECONDS  # type: ignore[attr-defined]
    every = {"revisit": "always", "max_duration": FAULT_RUN_DURATION}
    with serving(sites) as servers:
        config = write_config(
            tmp_path, entries(sites, servers, every), crawl={"batch_size": 5, "processes": 1}
        )
        db = tmp_path / "govwatch.db"
        code, base, out = crawl(config)
        assert code == 0 and {r["status"] for r in base["runs"]} == {"ok"}, out[-3000:]
        before = {name: site_snapshot(db, name) for name in faulty}

        pages = sites["pages"]
        known = [p for col in pages.columns.values() for p in col.pages]
        url = {p.id: servers["pages"].url + pages.page_path(p) for p in known}
        sticky = dict(zip([p.id for p in known], DETAIL_FAULTS, strict=False))
        benign = dict(zip([p.id for p in known[len(sticky) :]], BENIGN_FAULTS, strict=False))
        for pid, kind in {**sticky, **benign}.items():
            pages.fault(pages.page_path(pages.page(pid)), sticky=kind)
        broken_column = list(pages.columns)[1]
        pages.fault(pages.column_url(broken_column), sticky="500")
        sites["down"].down = True
        for cid in sites["walled"].columns:
            sites["walled"].fault(sites["walled"].column_url(cid), sticky="521")
        published = {
            name: {sites[name].add_page(cid, day=date(2022, 9, 15)).index_no for cid in sites[name].columns}
            for name in ("clean0", "clean1")
        }

        code, run, out = crawl(config)
        assert code == 1, out[-3000:]  # two sites failed
        runs = {r["site"]: r for r in run["runs"]}
        assert {n: r["status"] for n, r in runs.items()} == {
            "clean0": "ok",
            "pages": "partial",
            "clean1": "ok",
            "down": "failed",
            "walled": "failed",
        }, run["runs"]
        assert len({r["id"] for r in run["runs"]}) == 5
        # the faulty sites: why, in words; each fault a failed fetch of its kind; nothing stored changed
        assert "list page: HTTP 500" in runs["pages"]["reason"], runs["pages"]
        assert f"{len(sticky)} pages failed" in runs["pages"]["reason"], runs["pages"]
        assert "list page: HTTP 503" in runs["down"]["reason"], runs["down"]
        assert "list page: HTTP 521" in runs["walled"]["reason"], runs["walled"]
        fetched = run_fetches(db, runs["pages"]["id"])
        for pid, kind in sticky.items():
            want_kind, want_reason = DETAIL_FAULTS[kind]
            row = fetched[url[pid]]
            assert (row["outcome"], row["error_kind"]) == ("error", want_kind), (kind, row)
            if want_reason:
                assert row["not_release_reason"] == want_reason, (kind, row)
        for pid, kind in benign.items():
            assert fetched[url[pid]]["outcome"] == "ok", (kind, fetched[url[pid]])
        column = fetched[servers["pages"].url + pages.column_url(broken_column)]
        assert (column["outcome"], column["error_kind"]) == ("error", "http_500")
        assert [e for e in content_events(run["events"]) if e["site"] in faulty] == []
        assert {name: site_snapshot(db, name) for name in faulty} == before
        # the other sites of the process: every release, their new ones each one event, not baseline
        for name, keys in published.items():
            stored = {r["key"] for r in rows(db, "SELECT key FROM releases WHERE site = ?", name)}
            assert stored == keys_of(sites[name]), name
            new = [e for e in run["events"] if e["site"] == name]
            assert sorted(e["type"] for e in new) == ["new", "new"], new
            assert {e["index_no"] for e in new} == keys and not any(e["baseline"] for e in new), new

        for site in sites.values():
            site.clear_faults()
            site.down = False
        code, back, out = crawl(config)
        assert code == 0 and {r["status"] for r in back["runs"]} == {"ok"}, out[-3000:]
        assert content_events(back["events"]) == [], back["events"]
        assert {name: site_snapshot(db, name) for name in faulty} == before
    assert integrity(db) == "ok"
    failed = rows(db, "SELECT count(*) AS n FROM fetches WHERE outcome = 'error' AND error_kind IS NULL")
    assert failed[0]["n"] == 0  # every failed fetch says why


@pytest.mark.timeout(900)
def test_a_full_disk_under_a_batch_fails_the_runs_it_refused_and_loses_nothing(tmp_path: Path) -> None:
    sites = {f"s{i}": batch_site(40, i) for i in range(4)}
    with serving(sites) as servers, small_disk(tmp_path) as (disk, limit):
        db = disk / "govwatch.db"
        config = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 4}, database=str(db))
        code, report, out = crawl(config, preexec_fn=limit)
        assert code == 1, out[-3000:]
        assert "Traceback" not in out, out[-3000:]
        statuses = {r["site"]: r for r in report["runs"]}
        assert set(statuses) == set(sites), report["runs"]
        failed = [r for r in statuses.values() if r["status"] == "failed"]
        assert failed, report["runs"]
        for r in failed:
            assert any(s in (r["reason"] or "") for s in ("is full", "disk I/O error", "largest file")), r
        assert integrity(db) == "ok"
        assert not rows(db, "SELECT id FROM runs WHERE status = 'running'")
        for name, r in statuses.items():  # a run that ended ok stored everything of its site
            if r["status"] == "ok":
                stored = {x["key"] for x in rows(db, "SELECT key FROM releases WHERE site = ?", name)}
                assert stored == keys_of(sites[name]), name
        # the same database on a roomy disk: the next crawl completes every site, each release new once
        roomy = tmp_path / "govwatch.db"
        src, dst = sqlite3.connect(db), sqlite3.connect(roomy)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["database"] = str(roomy)
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        code, again, out = crawl(config)
    assert code == 0 and {r["status"] for r in again["runs"]} == {"ok"}, out[-3000:]
    everything = set().union(*(keys_of(s) for s in sites.values()))
    assert {r["key"] for r in rows(roomy, "SELECT key FROM releases")} == everything
    news = Counter(r["key"] for r in rows(roomy, "SELECT key FROM events WHERE type = 'new'"))
    assert set(news) == everything and set(news.values()) == {1}
