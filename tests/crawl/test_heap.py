"""The collector around start-up (``crawler.heap``): a command's imports and configuration are made
with collection held back, then frozen once its long-lived objects exist; no command is left with
the collector held, and a crawl — in one process or through the batch supervisor — settles before it
fetches, and closes its store itself."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from crawler import heap
from crawler.cli import SETTLE_THEMSELVES, cli
from crawler.demo.server import serve
from crawler.demo.site import build_site
from tests.helpers import env_with, site_entry, write_config

NOW = "2022-09-15T09:00:00+08:00"


@pytest.fixture
def collector() -> Iterator[None]:
    """This test process's collector as it was, whatever the test did to it."""
    before = gc.get_threshold()
    yield
    heap._thresholds = None
    gc.unfreeze()
    gc.set_threshold(*before)


def test_a_hold_collects_rarely_and_settling_freezes_what_lives(collector: None) -> None:
    default = gc.get_threshold()
    heap.hold()
    assert heap.holding() and gc.get_threshold()[0] == heap.HOLD_THRESHOLD
    kept = [{"n": i} for i in range(1_000)]  # long-lived, as imports are
    heap.settle()
    assert not heap.holding()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == (max(default[0], heap.YOUNG_THRESHOLD), *default[1:])


def test_settling_without_a_hold_changes_nothing(collector: None) -> None:
    before = gc.get_threshold()
    heap.settle()  # a command run inside a test's process, or a second settle
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_a_start_up_far_larger_than_expected_is_still_collected(collector: None) -> None:
    collected: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected.append(info["collected"])

    heap.hold()
    gc.callbacks.append(seen)
    try:
        for _ in range(3 * heap.HOLD_THRESHOLD):  # cycles: only the collector frees them
            a: dict[str, object] = {}
            a["self"] = a
    finally:
        gc.callbacks.remove(seen)
    assert sum(collected) > heap.HOLD_THRESHOLD, "a hold must not let garbage grow without bound"


def test_commands_other_than_crawl_end_the_hold_once_imported(collector: None) -> None:
    ctx = click.Context(cli)
    heap.hold()
    assert cli.get_command(ctx, "crawl") is not None
    assert heap.holding(), "crawl settles itself, once its crawler is built"
    for name in ("history", "daemon", "serve", "releases"):
        assert name not in SETTLE_THEMSELVES
        heap.hold()
        assert cli.get_command(ctx, name) is not None
        assert not heap.holding(), f"govwatch {name} would run with the collector held"


WATCH = """
import atexit, gc, json, sys
from crawler.cli import main
state = sys.argv[1]
def report():
    with open(state, "w") as out:
        json.dump({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}, out)
atexit.register(report)
sys.argv = ["govwatch", *sys.argv[2:]]
main()
"""


@pytest.mark.slow
@pytest.mark.parametrize("sites", [1, 2], ids=["in-process", "supervisor"])
def test_a_crawl_settles_its_start_up_before_it_fetches(tmp_path: Path, sites: int) -> None:
    site = build_site(6, per_page=5)
    with serve(site) as server:
        entries = [site_entry(server.url, site, name=f"local{i}") for i in range(sites)]
        config = write_config(tmp_path, entries)
        state = tmp_path / "gc.json"
        cmd = [sys.executable, "-c", WATCH, str(state), "crawl", "--config", str(config), "--no-notify"]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=300, env=env_with(NOW), cwd=tmp_path
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(state.read_text(encoding="utf-8"))
    # Scrapy, Twisted, pydantic and the configuration: tens of thousands of objects, frozen
    assert seen["frozen"] > 20_000, seen
    assert seen["threshold"][0] == max(700, heap.YOUNG_THRESHOLD), seen
    # the store was closed, not left to the collector (its connection is among the frozen objects):
    # its write-ahead log was folded into the database file, which alone holds the archive
    assert not (tmp_path / "govwatch.db-wal").exists()
