"""Normalizer throughput on the reference page, on one core, against a bare lxml.html parse.

Run from the repo root: ``.venv/bin/python bench/normalize.py [--seconds N]``. Writes the
"normalize" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
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


def rate(work: Callable[[], object], seconds: float) -> tuple[float, int]:
    """Calls per second of ``work`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        work()
    calls = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            work()
        calls += 50
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start), calls


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
    bare, _ = rate(lambda: lxml.html.document_fromstring(text), args.seconds)
    ours, calls = rate(lambda: normalize(body, URL), args.seconds)
    verdict = "meets" if ours >= GOAL else "below"
    report = (
        f"Reference page ({len(body) / 1024:.1f} KiB, {len(release.paragraphs)} paragraphs, "
        f"{len(release.turns)} turns), one process, {pinned}, {args.seconds:g} s per measurement.\n\n"
        "| what | pages/s |\n|---|---:|\n"
        f"| `normalize()` (normalizer v{NORMALIZER_VERSION}) | {ours:,.0f} |\n"
        f"| bare `lxml.html.document_fromstring` | {bare:,.0f} |\n\n"
        f"normalize = {ours / bare:.0%} of a bare parse; {calls:,} pages normalized; "
        f"goal {GOAL:,} pages/s: {verdict}.\n"
    )
    print(report)
    write_section("normalize", report)


if __name__ == "__main__":
    main()
