"""How `govwatch crawl` spreads sites over crawl processes (`crawl.batch_size`, `crawl.processes`)."""

from __future__ import annotations

import math

import pytest

from crawler.config.schema import CrawlConfig


@pytest.mark.parametrize(
    ("sites", "batch_size", "processes", "expected"),
    [
        (1, 500, 2, (1, 1)),  # one site: one process
        (3, 500, 1, (1, 3)),  # one process asked for: one batch
        (100, 500, 2, (2, 50)),  # fewer sites than a batch: spread over both processes
        (1000, 500, 2, (2, 500)),
        (10_000, 500, 2, (2, 500)),  # batches bounded by batch_size, two at a time
        (1001, 500, 2, (2, 334)),  # three batches, evenly filled
        (7, 2, 8, (7, 1)),  # never more processes than sites
    ],
)
def test_sites_are_spread_evenly_within_batch_size(
    sites: int, batch_size: int, processes: int, expected: tuple[int, int]
) -> None:
    crawl = CrawlConfig(batch_size=batch_size, processes=processes)
    assert crawl.batches(sites) == expected


@pytest.mark.parametrize("sites", [1, 2, 5, 499, 500, 501, 9_999, 10_000])
def test_every_site_fits_and_no_batch_exceeds_its_size(sites: int) -> None:
    crawl = CrawlConfig(batch_size=500, processes=3)
    parallel, size = crawl.batches(sites)
    assert 1 <= size <= 500
    assert 1 <= parallel <= min(3, sites)
    assert math.ceil(sites / size) >= parallel  # every process gets a batch


def test_default_is_one_process_per_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert CrawlConfig().batches(1000) == (4, 250)
