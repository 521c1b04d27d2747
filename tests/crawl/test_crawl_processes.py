"""How many crawl processes ``govwatch crawl`` runs at once: ``crawl.processes`` when set, otherwise
one per core only as long as each has a share of the work — a crawl process's start-up is not paid
for a crawl that one process does as fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler.config import CrawlConfig
from crawler.crawl import cores
from crawler.crawl.cores import FIRST_CRAWL, PROCESS_SHARE, crawl_processes
from tests.helpers import batch_children, write_config
from tests.reliability.batchkit import batch_site, entries, finish, serving, start


def names(n: int) -> list[str]:
    return [f"s{i}" for i in range(n)]


class Baselined:
    """``Store.baselined_sites`` as the policy sees it: the sites crawled before, and whether asked."""

    def __init__(self, crawled: set[str]) -> None:
        self.crawled = crawled
        self.asked = 0

    def __call__(self, sites: list[str]) -> set[str]:
        self.asked += 1
        return self.crawled & set(sites)


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores, "cores", lambda: 2)


@pytest.mark.usefixtures("two_cores")
@pytest.mark.parametrize(
    ("sites", "crawled", "expected"),
    [
        (PROCESS_SHARE, PROCESS_SHARE, 1),  # a re-crawl of 100 watched sites: one process does it
        (2 * PROCESS_SHARE - 1, 2 * PROCESS_SHARE - 1, 1),
        (5, 0, 1),  # five first crawls: 75 re-crawls' worth
        (2 * PROCESS_SHARE // FIRST_CRAWL, 0, 1),  # thirteen first crawls: 195
        (2 * PROCESS_SHARE // FIRST_CRAWL + 1, 0, 2),  # fourteen: a share each for two
        (150, 140, 2),  # ten first crawls among them
    ],
)
def test_a_second_process_starts_only_when_each_has_a_share(sites: int, crawled: int, expected: int) -> None:
    baselined = Baselined(set(names(sites)[:crawled]))
    assert crawl_processes(CrawlConfig(), names(sites), baselined) == expected
    assert baselined.asked == 1


@pytest.mark.usefixtures("two_cores")
def test_past_a_share_a_process_the_store_is_not_asked() -> None:
    baselined = Baselined(set())
    assert crawl_processes(CrawlConfig(), names(2 * PROCESS_SHARE), baselined) == 2
    assert baselined.asked == 0


@pytest.mark.usefixtures("two_cores")
def test_crawl_processes_set_is_obeyed() -> None:
    baselined = Baselined(set(names(4)))
    assert crawl_processes(CrawlConfig(processes=2), names(4), baselined) == 2
    assert crawl_processes(CrawlConfig(processes=1), names(500), baselined) == 1
    assert baselined.asked == 0


def test_one_core_is_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores, "cores", lambda: 1)
    assert crawl_processes(CrawlConfig(), names(1000), Baselined(set())) == 1


def most_at_once(config: Path) -> tuple[int, dict]:
    """``govwatch crawl`` of ``config`` in a real subprocess: the most batch processes seen alive at
    once (its own children: a process a batch process forks carries its command line until it
    execs), and its report."""
    proc = start(config)
    most = 0
    while proc.poll() is None:
        most = max(most, len([p for p in batch_children(proc.pid) if p.ppid() == proc.pid]))
        time.sleep(0.05)
    code, report, out = finish(proc)
    assert code == 0, out[-3000:]
    return most, report


@pytest.mark.slow
@pytest.mark.skipif(cores.cores() < 2, reason="needs two cores for a second crawl process")
def test_a_small_crawl_runs_its_batches_in_one_process_at_a_time(tmp_path: Path) -> None:
    """Four sites in batches of two, each page served slowly: the first crawl (four first crawls, 60
    re-crawls' worth) and the next run their batches one after the other; with ``crawl.processes:
    2`` the two batches run at once. Every site is crawled either way."""
    sites = {n: batch_site(4, i) for i, n in enumerate(names(4))}
    for site in sites.values():
        site.latency = 0.1  # type: ignore[attr-defined]  # each batch lasts a few seconds
    with serving(sites) as servers:
        config = write_config(tmp_path, entries(sites, servers), crawl={"batch_size": 2})
        for _crawl in ("first", "next"):
            most, report = most_at_once(config)
            assert most == 1, most
            assert sorted(r["site"] for r in report["runs"] if r["status"] == "ok") == names(4), report[
                "runs"
            ]
        both = tmp_path / "both"
        both.mkdir()
        config = write_config(both, entries(sites, servers), crawl={"batch_size": 2, "processes": 2})
        most, report = most_at_once(config)
        assert most == 2, most
        assert sorted(r["site"] for r in report["runs"] if r["status"] == "ok") == names(4), report["runs"]
