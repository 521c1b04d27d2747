"""How a crawl uses this machine's cores: the cores this process may run on, and whether a crawl
process judges release pages in a worker process beside it (``crawl.judge_worker``). Without
Scrapy or the normalizer: the batch supervisor decides it for its crawl processes."""

from __future__ import annotations

import os

from crawler.config import Config

#: release pages a crawl process judges itself before it starts its worker under
#: ``crawl.judge_worker: auto``: the worker's start-up (a Python process importing the normalizer and
#: the integrity rules) pays off only over many pages, and most crawls of a watched site find a few
#: new ones
AUTO_AFTER = 100


def cores() -> int:
    """The CPU cores this process may run on (its affinity: a container or ``taskset`` may allow
    fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def judge_in_worker(config: Config, processes: int = 1) -> bool:
    """Judge release pages in a worker process: ``crawl.judge_worker`` (``true`` or ``auto``), and
    this process may use a core to spare for it beside ``processes`` crawl processes."""
    return config.crawl.judge_worker is not False and cores() > processes


def judge_after(config: Config) -> int:
    """Release pages a crawl process judges itself before it starts its worker: ``AUTO_AFTER``
    under ``crawl.judge_worker: auto`` (a worker's start-up pays off only over many pages), none
    under ``true``."""
    return AUTO_AFTER if config.crawl.judge_worker == "auto" else 0
