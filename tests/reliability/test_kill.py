"""A crawl killed with SIGKILL at random moments (a real subprocess, a real SQLite file) leaves a
database that opens and passes ``PRAGMA integrity_check``, and the next crawl completes it: every
release of the site stored, each ``new`` event once, the edit one ``changed``, nothing else.
``make soak`` runs the same trial 100+ times (bench/soak.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.reliability.kit import kill_trial

pytestmark = pytest.mark.slow  # real crawls, daemons, browsers or several processes

TRIALS = [("baseline", 11), ("baseline", 12), ("update", 21), ("update", 22)]


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("variant", "seed"), TRIALS, ids=[f"{v}-{s}" for v, s in TRIALS])
def test_sigkill_at_a_random_moment_loses_nothing_and_repeats_nothing(
    tmp_path: Path, variant: str, seed: int
) -> None:
    result = kill_trial(tmp_path, random.Random(seed), variant=variant)
    assert result["problems"] == [], result
