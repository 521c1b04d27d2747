"""How a crawl uses this machine's cores: the cores this process may run on, how many crawl
processes ``govwatch crawl`` runs at once, and whether a crawl process judges release pages in a
worker process beside it (``crawl.judge_worker``). Without Scrapy or the normalizer: the batch
supervisor decides it for its crawl processes."""

from __future__ import annotations

import os
from collections.abc import Callable

from crawler.config import Config, CrawlConfig

#: release pages a crawl process judges itself before it starts its worker under
#: ``crawl.judge_worker: auto``: the worker's start-up (a Python process importing the normalizer and
#: the integrity rules) pays off only over many pages, and most crawls of a watched site find a few
#: new ones
AUTO_AFTER = 100

#: a crawl process's share of a crawl, in re-crawls of a watched site (its list pages and what is
#: new: ≈ 50 ms of CPU each on bench/scale.py's sites). A crawl process's own start-up — Python,
#: Scrapy, the configuration, the store: ≈ 1 s of CPU — is then at most a fifth of its share, so
#: ``govwatch crawl`` starts another process only when each gets a whole share
PROCESS_SHARE = 100
#: what a site's first crawl (every release its columns list, not only the list pages) weighs in
#: re-crawls: 661 against 49 ms of CPU a site on bench/scale.py's sites of 60 releases
FIRST_CRAWL = 15


def cores() -> int:
    """The CPU cores this process may run on (its affinity: a container or ``taskset`` may allow
    fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def crawl_processes(crawl: CrawlConfig, sites: list[str], baselined: Callable[[list[str]], set[str]]) -> int:
    """Crawl processes ``govwatch crawl`` runs at once over ``sites``: ``crawl.processes`` when set;
    otherwise one per core, as long as each has a share of the work (``PROCESS_SHARE``).
    ``baselined(sites)`` names those crawled before (a first crawl weighs ``FIRST_CRAWL``); it is
    asked only when the answer could change the count."""
    if crawl.processes:
        return crawl.processes
    most = cores()
    if most == 1 or len(sites) >= most * PROCESS_SHARE:  # every process has a share anyway
        return most
    first = len(sites) - len(baselined(sites))
    work = len(sites) + first * (FIRST_CRAWL - 1)
    return max(1, min(most, work // PROCESS_SHARE))


def judge_in_worker(config: Config, processes: int = 1) -> bool:
    """Judge release pages in a worker process: ``crawl.judge_worker`` (``true`` or ``auto``), and
    this process may use a core to spare for it beside ``processes`` crawl processes."""
    return config.crawl.judge_worker is not False and cores() > processes


def judge_after(config: Config) -> int:
    """Release pages a crawl process judges itself before it starts its worker: ``AUTO_AFTER``
    under ``crawl.judge_worker: auto`` (a worker's start-up pays off only over many pages), none
    under ``true``."""
    return AUTO_AFTER if config.crawl.judge_worker == "auto" else 0
