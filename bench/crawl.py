"""Crawl cost, measured side by side on generated local Hanweb sites (N = 1,000 and 10,000):

- the server alone (its own rate, so it is shown not to be the bottleneck);
- a bare Scrapy spider fetching the same release URLs with the same settings;
- govwatch's full crawl (pages/s, CPU seconds per page, peak RSS, database size);
- a no-change re-crawl and a re-crawl after 1% of releases changed (shares of the full crawl).

    python bench/crawl.py [--sizes 1000,10000] [--rounds K]

With ``--rounds K`` the bare spider and the full crawl run K times each, alternately on one server,
and the table shows the medians (pages/s, CPU) and the median of each round's ratio: on a shared
machine only comparisons made in the same minutes mean anything.

Writes section "crawl" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.sitegen import COLUMNS, generate  # noqa: E402

T0 = "2022-09-15T09:00:00+08:00"
T0_1H = "2022-09-15T10:00:00+08:00"
T0_8D = "2022-09-23T10:00:00+08:00"
FAST = {"download_delay": 0, "autothrottle": False, "concurrency_per_host": 8, "obey_robots": True}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The generated site in its own process."""

    def __init__(self, n: int, changed: float = 0.0, port: int | None = None) -> None:
        self.port = port or free_port()
        cmd = [
            sys.executable,
            str(ROOT / "bench/sitegen.py"),
            str(n),
            str(self.port),
            "--changed",
            str(changed),
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@dataclass
class Measure:
    seconds: float
    cpu: float
    peak_rss_mb: float
    requests: int = 0
    bytes: int = 0
    events: dict | None = None
    status: str = "ok"


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[Measure, str]:
    """Run ``cmd``: wall seconds from its start (start-up included), CPU seconds (user + system) of
    the process and every process it started (``RUSAGE_CHILDREN``: a crawl may run batch processes
    or a worker), and the peak of their summed RSS (sampled every 0.1 s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    peak = 0
    out: list[str] = []
    errs: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: errs.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = 0
        for p in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                rss += p.memory_info().rss
        peak = max(peak, rss)
        time.sleep(0.1)
    proc.wait()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for reader in readers:
        reader.join(5)
    if proc.returncode not in (0,):
        raise RuntimeError(f"{cmd} exited {proc.returncode}: {''.join(errs)[-2000:]}")
    return Measure(seconds, cpu, peak / 1024 / 1024), "".join(out)


def server_alone(urls: list[str], threads: int = 8) -> float:
    """Pages/s the server sustains for plain concurrent GETs (no parsing on the client side)."""
    sample = urls[: min(len(urls), 2000)]

    def get(u: str) -> int:
        with urllib.request.urlopen(u, timeout=30) as r:
            return len(r.read())

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(get, sample))
    return len(sample) / (time.perf_counter() - start)


def release_urls(n: int, base: str) -> list[str]:
    site = generate(n)
    return [base + site.page_path(p) for p in site.all_pages()]


def write_config(tmp: Path, base: str, judge_worker: bool = False) -> Path:
    data: dict[str, Any] = {
        "database": str(tmp / "govwatch.db"),
        "sinks": [],
        "sites": [
            {
                "name": "bench",
                "base_url": base,
                "profile": "hanweb",
                "columns": [
                    {"name": name, "url": f"{base}/col/col{cid}/index.html", "kind": "news"}
                    for cid, name, _ in COLUMNS
                ],
                "max_requests": 100000,
                "max_list_pages": 1000,
                "max_duration": "2h",
                "politeness": FAST,
            }
        ],
    }
    if judge_worker:
        data["crawl"] = {"judge_worker": True}
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def crawl(config: Path, now: str) -> Measure:
    report = config.parent / f"report-{time.time_ns()}.json"
    env = {**os.environ, "GOVWATCH_NOW": now}
    cmd = [
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        "--config",
        str(config),
        "--no-notify",
        "--report-json",
        str(report),
    ]
    m, _ = run_measured(cmd, env)
    data = json.loads(report.read_text(encoding="utf-8"))
    run = data["runs"][0]
    m.requests, m.bytes = run["requests"], run["bytes"]
    m.status = run["status"]
    counts: dict[str, int] = {}
    for e in data["events"]:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    m.events = counts
    return m


def full_crawl(n: int, base: str, judge_worker: bool = False) -> tuple[Measure, Path, int]:
    """One full crawl on a fresh database (started again when the local server spoilt it)."""
    retried = 0
    while True:
        tmp = Path(tempfile.mkdtemp(prefix=f"govwatch-bench-{n}-"))
        config = write_config(tmp, base, judge_worker)
        full = crawl(config, T0)
        # a local server hiccup (a reset list page) spoils the measurement, not the crawl: start
        # again on a fresh database, and say so
        if full.status == "ok" or retried >= 2:
            return full, config, retried
        retried += 1


def bench_size(n: int, rounds: int = 1, judge_worker: bool = False) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"govwatch-bench-{n}-"))
    server = Server(n)
    bares: list[Measure] = []
    fulls: list[Measure] = []
    retried = 0
    try:
        urls = release_urls(n, server.url)
        alone = server_alone(urls)
        url_file = tmp / "urls.txt"
        url_file.write_text("\n".join(urls), encoding="utf-8")
        for _ in range(max(1, rounds)):  # alternately, so both see the same machine
            bare, out = run_measured([sys.executable, str(ROOT / "bench/bare_spider.py"), str(url_file)])
            bare.requests = int(out.strip().splitlines()[-1])
            bares.append(bare)
            full, config, again = full_crawl(n, server.url, judge_worker)
            fulls.append(full)
            retried += again
            print(  # each round, so a table's medians can be read against their spread
                f"N={n} round {len(fulls)}: bare {bare.seconds:.2f} s ({bare.cpu:.2f} s CPU), "
                f"govwatch {full.seconds:.2f} s ({full.cpu:.2f} s CPU), "
                f"ratio {(full.requests / full.seconds) / (bare.requests / bare.seconds):.2f}",
                file=sys.stderr,
            )
        tmp = config.parent
        full = fulls[-1]
        same = crawl(config, T0_1H)
    finally:
        server.stop()
    db = tmp / "govwatch.db"
    db_size = db.stat().st_size + sum(p.stat().st_size for p in tmp.glob("govwatch.db-*"))
    server = Server(n, changed=0.01, port=server.port)
    try:
        changed = crawl(config, T0_8D)
    finally:
        server.stop()
    with sqlite3.connect(db) as conn:
        versions = conn.execute("select count(*) from versions").fetchone()[0]
    return {
        "n": n,
        "server_alone": alone,
        "bare": bare,
        "full": full,
        "bares": bares,
        "fulls": fulls,
        "load": os.getloadavg(),
        "same": same,
        "changed": changed,
        "db_mb": db_size / 1024 / 1024,
        "versions": versions,
        "expected_changes": len([i for i in range(n) if i % 100 == 50]),
        "retried": retried,
    }


def report(results: list[dict]) -> str:
    rows = [
        "| N | rounds | server alone (pages/s) | bare Scrapy (pages/s) | govwatch full (pages/s) | ratio | CPU s/page bare | CPU s/page govwatch | peak RSS (MB) | DB (MB) | load average |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        bares, fulls = r["bares"], r["fulls"]
        bare_rate = statistics.median(m.requests / m.seconds for m in bares)
        full_rate = statistics.median(m.requests / m.seconds for m in fulls)
        ratio = statistics.median(
            (f.requests / f.seconds) / (b.requests / b.seconds) for b, f in zip(bares, fulls, strict=True)
        )
        bare_cpu = statistics.median(m.cpu / m.requests for m in bares)
        full_cpu = statistics.median(m.cpu / m.requests for m in fulls)
        rows.append(
            f"| {r['n']:,} | {len(fulls)} | {r['server_alone']:.0f} | {bare_rate:.0f} | {full_rate:.0f} | {ratio:.2f} "
            f"| {bare_cpu * 1000:.2f} ms | {full_cpu * 1000:.2f} ms "
            f"| {max(m.peak_rss_mb for m in fulls):.0f} | {r['db_mb']:.0f} | {r['load'][0]:.1f} |"
        )
    rows += [
        "",
        "| N | run statuses (full / no change / 1% changed) | no-change re-crawl: requests | bytes | seconds | 1% changed (revisits due): requests | bytes | seconds | changes caught |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        full, same, ch = r["full"], r["same"], r["changed"]
        rows.append(
            f"| {r['n']:,} | {full.status}{' (after ' + str(r['retried']) + ' restart)' if r['retried'] else ''} / {same.status} / {ch.status} | {same.requests} ({same.requests / full.requests:.2%}) | {same.bytes / full.bytes:.2%} "
            f"| {same.seconds / full.seconds:.0%} | {ch.requests} ({ch.requests / full.requests:.0%}) "
            f"| {ch.bytes / full.bytes:.1%} | {ch.seconds / full.seconds:.0%} "
            f"| {(ch.events or {}).get('changed', 0)} of {r['expected_changes']} |"
        )
    if len(results) > 1:
        a, b = results[0], results[-1]
        per_a = a["full"].cpu / a["full"].requests * 1000
        per_b = b["full"].cpu / b["full"].requests * 1000
        rows += [
            "",
            f"Growth: CPU per page {per_a:.2f} ms at {a['n']:,} releases vs {per_b:.2f} ms at {b['n']:,} "
            f"({per_b / per_a:.2f}×); seconds per page {a['full'].seconds / a['full'].requests * 1000:.2f} ms vs "
            f"{b['full'].seconds / b['full'].requests * 1000:.2f} ms.",
        ]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=1, help="bare and full crawls, alternately (medians)")
    parser.add_argument("--judge-worker", action="store_true", help="crawl with crawl.judge_worker: true")
    args = parser.parse_args()
    # every crawl starts from compiled bytecode, as an installed (or once-run) copy does: with
    # PYTHONDONTWRITEBYTECODE set, each crawl would otherwise compile govwatch's modules again
    compileall.compile_dir(ROOT / "crawler", quiet=1)
    results = [bench_size(int(n), args.rounds, args.judge_worker) for n in args.sizes.split(",")]
    text = report(results)
    print(text)
    write_section("crawl", text + "\n\n" + NOTES)


NOTES = """Goals: govwatch ≥ 0.8 of bare Scrapy's pages/s; no-change re-crawl ≤ 2% of the full crawl's
requests at 10,000 releases; peak RSS ≤ 300 MB; per-page cost flat from 1,000 to 10,000. The "1%
changed" run is eight days later, when the default revisit policy (older releases every 7 days)
makes every release due: it is sent as conditional requests, so unchanged releases answer 304 and
only the changed ones carry a body. CPU seconds (user + system) are those of the crawl and every
process it starts (`RUSAGE_CHILDREN`), peak RSS their sum; `--rounds K` alternates K bare and K full
crawls and shows medians.

**Shortfall: pages/s is about 0.5–0.6 of bare Scrapy's, not 0.8.** Bare Scrapy does nothing with a
page; govwatch parses, checks and stores each one, in the same single-threaded process. Profile
(pyinstrument, a 1,000-release crawl, 7.4 s of CPU in the crawl process; per page): `store.record`
≈ 1.5 ms (0.9 ms building the rows — about 24 SQL statements including the bigram search index —
and the rest one write transaction and commit per fetch), normalize ≈ 0.7 ms, integrity ≈ 0.7 ms
(a second lxml parse and one walk of the tree), Scrapy's own download, engine and item plumbing the
rest, as for the bare spider (plus ≈ 1 s of start-up). Two Scrapy defaults cost more than all of
that and are now off: 100 asyncio item workers started per callback (`CONCURRENT_ITEMS`) and the
re-parsing of each callback's source on every response (`WARN_ON_GENERATOR_RETURN_VALUE`); they
took the 1,000-release crawl from 13.9 s to 7.6 s.
Done since: (1) the store's writes grouped into one transaction every 50 ms (`store/group.py`);
(2) one decode and one lxml parse per page, shared by normalize and integrity
(`normalize.Document`); (3) what the profile showed next: zstd levels that fit the data (evidence
JSON at 9, not 19; raw HTML at 5, not 10), `to_dict` without `dataclasses.asdict`, one Scrapy item
worker per callback (`CONCURRENT_ITEMS: 1`), the per-page reads without sqlite-utils' savepoints.
(4) start-up without httpx (and the rich and pygments it loads), and crawls measured from compiled
bytecode; (5) `crawl.judge_worker: true` (`bench/crawl.py --judge-worker`): release pages judged in
a worker process beside the reactor. Measured on this 2-core machine, same minutes, 1,000 releases:
0.57 → 0.59 with (4), 0.78 with (5) while the second core was free; at 10,000 the second core is the
local server's too, and a starved server closes list pages unanswered (the crawl ends `partial`; a
busy loop on that core does the same without the worker), so (5) is off by default.
Left: the store's writes (about a quarter of the crawl process's CPU once pages are judged
elsewhere) and Scrapy's own per-request work; in production the bound is politeness, not CPU: with
the default `download_delay: 1.0` a site is crawled at about one page per second, so at ≈ 3.6 ms of
CPU per page one core keeps up with hundreds of sites at once."""


if __name__ == "__main__":
    main()
