"""``make bench``: every benchmark, one after another, each rewriting its own section of RESULTS.md.

N = 10,000 sites (an hour and more of crawling) is ``make bench-scale``. The long fault-injection and kill-at-random runs are ``make soak`` (bench/soak.py), not here.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BENCHMARKS = (
    ("normalize", ["bench/normalize.py"]),
    ("store", ["bench/store.py"]),
    ("crawl", ["bench/crawl.py", "--sizes", "1000,10000"]),
    ("daemon", ["bench/daemon.py"]),
    ("N sites", ["bench/scale.py", "--sizes", "100,1000"]),  # N = 10,000 too: make bench-scale
)


def main() -> int:
    failed = []
    started = time.perf_counter()
    for name, args in BENCHMARKS:
        t = time.perf_counter()
        print(f"== {name}", flush=True)
        code = subprocess.call([sys.executable, *args], cwd=ROOT)
        print(f"== {name}: exit {code} in {time.perf_counter() - t:.0f} s", flush=True)
        if code:
            failed.append(name)
    print(f"all benchmarks in {time.perf_counter() - started:.0f} s; results in bench/RESULTS.md")
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
