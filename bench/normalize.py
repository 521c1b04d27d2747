"""Normalizer throughput on the reference page, on one core, against a bare lxml.html parse.

Run from the repo root: ``.venv/bin/python bench/normalize.py [--seconds N]``. Writes the
"normalize" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from bench.results import write_section  # noqa: E402
from crawler.normalize import NORMALIZER_VERSION, normalize  # noqa: E402

PAGE = ROOT / "tests" / "fixtures" / "quzhou-fabushilu-2022-09-14.defaced.html"
URL = "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
GOAL = 1000


def rate(work: Callable[[], object], seconds: float, rounds: int = 10) -> tuple[float, float, int]:
    """``(median, best, calls)``: calls per second of ``work`` over ``rounds`` rounds filling ``seconds``.

    Rounds make the figure robust to other processes sharing the machine: the median is the
    typical rate, the best one the rate of an undisturbed core.
    """
    for _ in range(20):
        work()
    rates = []
    calls = 0
    for _ in range(rounds):
        done = 0
        start = time.perf_counter()
        deadline = start + seconds / rounds
        while True:
            for _ in range(25):
                work()
            done += 25
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(done / (now - start))
        calls += done
    return statistics.median(rates), max(rates), calls


def pin_to_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    args = parser.parse_args()
    body = PAGE.read_bytes()
    pinned = pin_to_one_core()
    release = normalize(body, URL)
    assert release.kind == "release" and len(release.paragraphs) >= 31, "the reference page must normalize"
    text = body.decode("utf-8")
    bare, bare_best, _ = rate(lambda: lxml.html.document_fromstring(text), args.seconds)
    ours, ours_best, calls = rate(lambda: normalize(body, URL), args.seconds)
    verdict = "meets" if ours >= GOAL else "below"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report = (
        f"Reference page ({len(body) / 1024:.1f} KiB, {len(release.paragraphs)} paragraphs, "
        f"{len(release.turns)} turns), one process, {pinned}, {args.seconds:g} s per measurement "
        f"in 10 rounds (load average {load:.2f} at the end).\n\n"
        "| what | pages/s (median round) | pages/s (best round) |\n|---|---:|---:|\n"
        f"| `normalize()` (normalizer v{NORMALIZER_VERSION}) | {ours:,.0f} | {ours_best:,.0f} |\n"
        f"| bare `lxml.html.document_fromstring` | {bare:,.0f} | {bare_best:,.0f} |\n\n"
        f"normalize = {ours / bare:.0%} of a bare parse; {calls:,} pages normalized; "
        f"goal {GOAL:,} pages/s (median): {verdict}.\n"
    )
    print(report)
    write_section("normalize", report)


if __name__ == "__main__":
    main()
