"""Kill trials with many sites per crawl process: ``govwatch crawl`` over eight sites on real local
servers, in crawl processes of three sites each, SIGKILLed at a random moment — one crawl process
(the out-of-memory killer), or the whole crawl at once — then crawled again. The database stays
sound, no run is left ``running``, every release is stored once with one ``new`` event, each edit is
one ``changed``, and the sinks (a JSON Lines file, a webhook) received committed events only, each
once. ``bench/soak.py --batch-trials N`` runs the same trial N times."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.reliability.batchkit import kill_trial
from tests.report.reportkit import Receiver

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

TRIALS = [("child", 31), ("child", 32), ("tree", 41), ("tree", 42)]


@pytest.mark.timeout(600)
@pytest.mark.parametrize(("variant", "seed"), TRIALS, ids=[f"{v}-{s}" for v, s in TRIALS])
def test_a_batch_killed_at_a_random_moment_loses_nothing_and_repeats_nothing(
    tmp_path: Path, variant: str, seed: int
) -> None:
    receiver = Receiver()
    try:
        result = kill_trial(tmp_path, random.Random(seed), variant=variant, receiver=receiver)
    finally:
        receiver.stop()
    assert result["killed"], result
    assert result["problems"] == [], result
