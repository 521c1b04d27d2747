"""Broken links and attachments found on a local site, checked a few per run (attachments and
never-checked URLs first), counted per site and per run; metadata completeness; the scorecard of
``govwatch health --json`` against what the site was built with; history and the canned queries."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.browse.queries import BROKEN_LINKS_SQL, SITE_HEALTH_SQL
from crawler.demo.server import serve
from tests.health.healthkit import add_links, column_entries, health_json, linked_site
from tests.helpers import FAST, NEWS, NOTICES, rows, run_crawl, value, write_config

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

T0 = "2022-09-15T09:00:00+08:00"
T1 = "2022-09-15T10:00:00+08:00"
T2 = "2022-09-15T11:00:00+08:00"
T8D = "2022-09-23T11:00:00+08:00"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("links")
    ls = linked_site()
    with serve(ls.site) as server:
        other_host = server.url.replace("127.0.0.1", "localhost")  # the same server, another host name
        add_links(ls, server.url, other_host)
        entry = {
            "name": "local",
            "base_url": server.url,
            "profile": "hanweb",
            "columns": column_entries(server.url, ls.site, {NEWS: "news", NOTICES: "notice"}),
            "politeness": dict(FAST),
            "link_check": {"allow_private": True},
            # the link checker's own work: with attachments fetched by the crawl it leaves them alone
            # (tests/attachments/test_attachments_crawl.py)
            "attachments": {"fetch": False},
        }
        config = write_config(
            tmp, [entry], link_check={"enabled": True, "per_run": 5, "timeout": "5s", "recheck_after": "7d"}
        )
        first = run_crawl(config, now=T0)
        second = run_crawl(config, now=T1)
        yield ls, config, tmp / "govwatch.db", server, [first, second]


def test_a_few_links_per_run_attachments_first_then_the_rest(crawled) -> None:
    ls, config, db, _server, (first, second) = crawled
    assert first.returncode == 0 and first.run["status"] == "ok", first
    assert second.returncode == 0, second
    run1, run2 = first.run["id"], second.run["id"]
    checked1 = {r["url"]: r for r in rows(db, "select * from link_checks where run_id = ?", run1)}
    checked2 = {r["url"]: r for r in rows(db, "select * from link_checks where run_id = ?", run2)}
    # per_run 5: the five attachments in the first run, the three links in the second
    assert sorted(checked1) == sorted(ls.attachment_urls)
    assert sorted(checked2) == sorted(set(ls.ok_urls + ls.broken_urls) - set(ls.attachment_urls))
    every = {**checked1, **checked2}
    assert sorted(u for u, r in every.items() if not r["ok"]) == sorted(ls.broken_urls)
    assert all(every[u]["status"] == 404 and every[u]["method"] == "GET" for u in ls.broken_urls)
    assert all(every[u]["status"] == 200 and every[u]["method"] == "HEAD" for u in ls.ok_urls)
    offsite = [u for u, r in every.items() if r["offsite"]]
    assert offsite == [u for u in ls.ok_urls if "//localhost:" in u]

    # nothing is due an hour later; everything again once recheck_after (7d) has passed
    third = run_crawl(config, now=T2)
    assert value(db, "select count(*) from link_checks where run_id = ?", third.run["id"]) == 0
    later = run_crawl(config, now=T8D)
    rechecked = [r["url"] for r in rows(db, "select url from link_checks where run_id = ?", later.run["id"])]
    assert sorted(rechecked) == sorted(ls.attachment_urls)  # due again: attachments first
    status = {r["url"]: r for r in rows(db, "select * from link_status")}
    assert all(
        status[u]["checks"] == 2 and status[u]["broken_since"] == "2022-09-15T09:00:00+08:00"
        for u in ls.broken_urls
        if u in ls.attachment_urls
    )

    per_run = {
        r["run_id"]: (r["checks_this_run"], r["broken_this_run"], r["links_checked"], r["links_broken"])
        for r in rows(db, "select * from site_health order by run_id")
    }
    assert per_run[run1] == (5, 2, 5, 2)
    assert per_run[run2] == (3, 1, 8, 3)
    assert per_run[third.run["id"]] == (0, 0, 8, 3)


def test_scorecard_matches_the_site(crawled) -> None:
    ls, config, _db, _server, _runs = crawled
    data = health_json(config, now=T1)
    assert [c["site"] for c in data["sites"]] == ["local"]
    card = data["sites"][0]
    assert card["metadata"] == {
        "releases": 10,
        "missing_index_no": 2,
        "missing_index_no_share": 0.2,
        "missing_publisher": 1,
        "missing_publisher_share": 0.1,
        "missing_date": 1,
        "missing_date_share": 0.1,
    }
    links = card["links"]
    assert (links["links"], links["links_checked"], links["links_broken"]) == (8, 8, 3)
    assert (links["attachments"], links["attachments_broken"]) == (5, 2)
    assert links["broken_share"] == 0.375
    assert (links["offsite_links"], links["outbound_hosts"]) == (1, 1)
    columns = {c["column"]: c for c in card["columns"]}
    assert columns["发布实录"]["newest_item"] == "2022-09-14" and columns["发布实录"]["stale"] is False
    assert columns["发布实录"]["stale_after_days"] == 14
    assert (
        columns["通知公告"]["newest_item"] == "2022-08-01" and columns["通知公告"]["stale_after_days"] == 180
    )
    assert card["stale_columns"] == 0
    assert card["reachability"] == {"runs_last_week": 2, "failed_runs_last_week": 0, "unreachable_share": 0.0}

    table = subprocess.run(
        [sys.executable, "-m", "crawler", "health", "--config", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, "GOVWATCH_NOW": T1, "COLUMNS": "200"},
        cwd=config.parent,
    )
    assert table.returncode == 0, table.stderr
    assert "3/8 (37.5%)" in table.stdout and "2/10 (20.0%)" in table.stdout and "发布实录" in table.stdout


def test_outbound_hosts_and_broken_links_views(crawled) -> None:
    ls, _config, db, server, _runs = crawled
    hosts = rows(db, "select * from outbound_hosts")
    assert [(h["site"], h["host"], h["links"], h["releases"], h["broken"]) for h in hosts] == [
        ("local", "localhost", 1, 1, 0)
    ]
    broken = rows(db, "select key, kind, url, status from broken_links order by url, key")
    # the broken attachment shared by two releases is listed under both
    assert sorted({r["url"] for r in broken}) == sorted(ls.broken_urls)
    a3 = server.url + "/files/a3.pdf"
    assert sorted(r["key"] for r in broken if r["url"] == a3) == sorted(
        [ls.news[0].index_no, ls.news[2].index_no]
    )


def test_history_shows_broken_attachments(crawled) -> None:
    ls, config, _db, server, _runs = crawled
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "history", ls.news[2].index_no, "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=config.parent,
    )
    assert proc.returncode == 0, proc.stderr
    assert "broken links: 2" in proc.stdout
    assert f"attachment 附件3.pdf  {server.url}/files/a3.pdf  HTTP 404" in proc.stdout
    assert f"{server.url}/files/a4.doc" in proc.stdout
    clean = subprocess.run(
        [sys.executable, "-m", "crawler", "history", ls.news[1].index_no, "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=config.parent,
    )
    assert clean.returncode == 0 and "broken links" not in clean.stdout


def test_canned_queries_run_and_agree(crawled) -> None:
    _ls, _config, db, _server, _runs = crawled
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        (card,) = conn.execute(SITE_HEALTH_SQL, {"site": ""}).fetchall()
        assert card["site"] == "local" and card["broken_links"] == "3 / 8" and card["broken_pct"] == 37.5
        assert card["no_index_no_pct"] == 20.0 and card["releases"] == 10 and card["outbound_hosts"] == 1
        assert card["failed_runs_7d"].startswith("0 / ")
        assert len(conn.execute(BROKEN_LINKS_SQL, {"site": "local"}).fetchall()) == 4  # a3 twice
        assert conn.execute(BROKEN_LINKS_SQL, {"site": "elsewhere"}).fetchall() == []
    finally:
        conn.close()


def test_config_or_database_errors_exit_2(tmp_path: Path, crawled) -> None:
    from tests.health.healthkit import run_health

    missing = run_health(tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
    _ls, config, _db, _server, _runs = crawled
    no_db = run_health(config, "--db", str(tmp_path / "absent.db"))
    assert no_db.returncode == 2 and "absent.db" in no_db.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    bad_db = run_health(config, "--db", str(junk))
    assert bad_db.returncode == 2 and "junk.db" in bad_db.stderr
    bad_site = run_health(config, "--site", "nowhere")
    assert bad_site.returncode == 2 and "nowhere" in bad_site.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("sites: [{name: x}]\nbogus: 1\n", encoding="utf-8")
    bad_config = run_health(broken)
    assert bad_config.returncode == 2 and "broken.yaml" in bad_config.stderr
