"""Two writers with many sites per crawl process: two ``govwatch crawl`` of several sites each, in
crawl processes of two sites, writing one SQLite file at the same time. Disjoint lists, one crawl
killed half way: the database stays sound and the next crawls complete every site. Overlapping
lists: a site the first crawl is crawling is ``skipped`` by the second (its lock), each crawl
reports its own runs, and nothing is stored or announced twice."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import rows, write_config
from tests.reliability.batchkit import (
    batch_children,
    batch_site,
    entries,
    finish,
    keys_of,
    kill_children,
    kill_tree,
    running_runs,
    serving,
    start,
    wait_for,
)
from tests.reliability.kit import fetch_count, integrity

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes


def site_args(names: list[str]) -> list[str]:
    return [arg for name in names for arg in ("--site", name)]


def complete(db: Path, sites: dict, names: list[str]) -> None:
    """Each of ``names`` holds every release of its site, each with one ``new`` event."""
    for name in names:
        keys = {r["key"] for r in rows(db, "SELECT key FROM releases WHERE site = ?", name)}
        assert keys == keys_of(sites[name]), name
        news = Counter(
            r["key"] for r in rows(db, "SELECT key FROM events WHERE type = 'new' AND site = ?", name)
        )
        assert set(news) == keys_of(sites[name]) and set(news.values()) == {1}, (name, news)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("kill", ["child", "tree"])
def test_two_batch_crawls_of_disjoint_sites_one_killed(tmp_path: Path, kill: str) -> None:
    sites = {f"s{i}": batch_site(8, i) for i in range(8)}
    one, two = list(sites)[:4], list(sites)[4:]
    rng = random.Random(f"writers-{kill}")
    with serving(sites) as servers:
        for site in sites.values():
            site.latency = 0.03  # type: ignore[attr-defined]
        config = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 2})
        db = tmp_path / "govwatch.db"
        a, b = start(config, *site_args(one)), start(config, *site_args(two))
        target = rng.randint(3, 30)
        assert wait_for(a, lambda: fetch_count(db, 0) >= target and batch_children(a.pid)), "never crawled"
        if kill == "child":
            assert kill_children(a.pid)
            code, _report, out = finish(a)
            assert code in (0, 1) and "Traceback" not in out, out[-3000:]
            left = [r for r in running_runs(db) if r["site"] in one]  # the other crawl goes on
            assert not left, rows(db, "SELECT * FROM runs")
        else:
            kill_tree(a)
        code, report, out = finish(b)
        assert code == 0 and {r["status"] for r in report["runs"]} == {"ok"}, out[-3000:]
        assert integrity(db) == "ok"
        for site in sites.values():
            site.latency = 0.0  # type: ignore[attr-defined]
        a, b = start(config, *site_args(one)), start(config, *site_args(two))
        for proc in (a, b):
            code, report, out = finish(proc)
            assert code == 0 and {r["status"] for r in report["runs"]} == {"ok"}, out[-3000:]
    assert integrity(db) == "ok"
    assert not running_runs(db)
    complete(db, sites, list(sites))


@pytest.mark.timeout(900)
def test_two_batch_crawls_of_overlapping_sites_skip_what_the_other_holds(tmp_path: Path) -> None:
    sites = {f"s{i}": batch_site(8, i) for i in range(7)}
    one, two = list(sites)[:5], list(sites)[2:]  # s2, s3, s4 in both
    shared = sorted(set(one) & set(two))
    with serving(sites) as servers:
        for name in shared:  # the first crawl holds these a while: every answer takes seconds
            sites[name].latency = 4.0  # type: ignore[attr-defined]
        config = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 5})
        db = tmp_path / "govwatch.db"
        a = start(config, *site_args(one))
        # the sites both crawls name are held by the first (its other sites may have ended already:
        # they answer at once, and its two batch processes need not start together)
        began = lambda: set(shared) <= {r["site"] for r in running_runs(db)}  # noqa: E731
        assert wait_for(a, began), "the first crawl never began the shared sites"
        b = start(config, *site_args(two))
        code_b, report_b, out_b = finish(b)
        for name in shared:
            sites[name].latency = 0.0  # type: ignore[attr-defined]
        code_a, report_a, out_a = finish(a)
    assert code_a == 0 and {r["site"]: r["status"] for r in report_a["runs"]} == dict.fromkeys(one, "ok"), (
        out_a
    )
    assert code_b == 1, out_b  # it skipped sites
    assert {r["site"]: r["status"] for r in report_b["runs"]} == {
        name: ("skipped" if name in shared else "ok") for name in two
    }, report_b["runs"]
    # each crawl's runs are its own: none reported by both
    assert not {r["id"] for r in report_a["runs"]} & {r["id"] for r in report_b["runs"]}
    assert integrity(db) == "ok" and not running_runs(db)
    complete(db, sites, list(sites))
    for name in shared:
        statuses = sorted(r["status"] for r in rows(db, "SELECT status FROM runs WHERE site = ?", name))
        assert statuses == ["ok", "skipped"], (name, statuses)
