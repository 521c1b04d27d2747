"""The daemon unattended: 50 scheduled runs of small local sites; the daemon's memory (RSS) and open
files after run 10 and after run 50 (growth over 10% is a leak to fix: exit 1), and the CPU seconds
per run of the daemon and every crawl process it started.

    .venv/bin/python bench/daemon.py [--runs 50] [--sites 1] [--schedule "*/2 * * * * *"]

Writes section "daemon" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from crawler.demo.server import serve  # noqa: E402
from crawler.demo.site import build_site  # noqa: E402
from tests.helpers import site_entry, write_config  # noqa: E402

MAX_GROWTH = 0.10


def finished_runs(db: Path) -> list[tuple[int, str]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT id, status FROM runs WHERE status != 'running' ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def sample(proc: psutil.Process) -> dict[str, float]:
    with proc.oneshot():
        return {"rss": proc.memory_info().rss, "fds": proc.num_fds(), "threads": proc.num_threads()}


def wait_runs(db: Path, n: int, daemon: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(finished_runs(db)) < n:
        log = db.with_name("daemon.err")
        if daemon.poll() is not None:
            raise SystemExit(
                f"the daemon exited ({daemon.returncode}) before run {n}:\n{log.read_text()[-3000:]}"
            )
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for run {n}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    time.sleep(0.5)  # let the run's bookkeeping (delivery, log line) finish


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--early", type=int, default=10)
    parser.add_argument("--schedule", default="*/2 * * * * *")
    parser.add_argument("--sites", type=int, default=1, help="sites on the same schedule")
    args = parser.parse_args()

    sites = [build_site(12, per_page=5) for _ in range(args.sites)]
    site = sites[0]
    with tempfile.TemporaryDirectory(prefix="govwatch-bench-daemon-") as tmp, contextlib.ExitStack() as stack:
        servers = [stack.enter_context(serve(s)) for s in sites]
        tmp_path = Path(tmp)
        entries = [
            site_entry(server.url, s, name=f"site{i}", schedule=args.schedule, revisit="always")
            for i, (server, s) in enumerate(zip(servers, sites, strict=True))
        ]
        config = write_config(tmp_path, entries, daemon={"run_timeout": "60s"})
        db = tmp_path / "govwatch.db"
        env = {k: v for k, v in os.environ.items() if k != "GOVWATCH_NOW"}
        cmd = [sys.executable, "-m", "crawler", "daemon", "--config", str(config), "--log-json"]
        err_path = tmp_path / "daemon.err"
        started = time.monotonic()
        with open(err_path, "wb") as err, open(os.devnull, "wb") as out:
            daemon = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env)
        try:
            proc = psutil.Process(daemon.pid)
            wait_runs(db, args.early, daemon, timeout=args.early * 30)
            early = sample(proc)
            t_early = time.monotonic()
            # an edit now and then, so runs do real work (versions, changed events, delivery)
            for i in range(args.early, args.runs):
                wait_runs(db, i + 1, daemon, timeout=60)
                if i % 10 == 0:
                    page = site.columns["1229037214"].pages[0]
                    site.edit(page.id, new=f"第{i}次修订。")
            late = sample(proc)
            elapsed = time.monotonic() - t_early
        finally:
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(timeout=60)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the daemon and every crawl it waited for
        cpu = usage.ru_utime + usage.ru_stime
        leftover = [
            p for p in psutil.process_iter(["cmdline"]) if str(config) in " ".join(p.info["cmdline"] or [])
        ]
        statuses = [s for _, s in finished_runs(db)]
        with sqlite3.connect(db) as conn:
            event_counts = dict(
                conn.execute("SELECT type, count(*) FROM events WHERE baseline = 0 GROUP BY type")
            )
            failures = [
                f"run {run_id}: {json.loads(notes).get('error') or counts}"
                for run_id, notes, counts in conn.execute(
                    "SELECT id, notes, counts FROM runs WHERE status = 'failed'"
                )
            ]
            delivered = conn.execute("SELECT count(*) FROM deliveries WHERE state = 'delivered'").fetchone()[
                0
            ]
        lines = [json.loads(x) for x in err_path.read_text().splitlines() if x.startswith("{")]
        ends = [e for e in lines if e.get("event") == "run_end"]
        pids = {e["pid"] for e in lines if e.get("event") == "run_start" and e.get("pid")}
    total = time.monotonic() - started
    seconds = [e["seconds"] for e in ends]
    growth = (late["rss"] - early["rss"]) / early["rss"]
    mib = 1024 * 1024
    status_counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    body = f"""\
`bench/daemon.py`: the daemon (`govwatch daemon --log-json`) crawls a local 12-release Hanweb site on
schedule `{args.schedule}` (`revisit: always`, an edit every 10 runs) for {len(statuses)} runs
({args.sites} such site(s) on the one schedule); the daemon process is sampled with psutil after
run {args.early} and after run {args.runs}.

| measure | after run {args.early} | after run {args.runs} | change |
|---|---|---|---|
| daemon RSS | {early["rss"] / mib:.1f} MiB | {late["rss"] / mib:.1f} MiB | {growth * 100:+.1f}% |
| open files | {early["fds"]} | {late["fds"]} | {late["fds"] - early["fds"]:+d} |
| threads | {early["threads"]} | {late["threads"]} | {late["threads"] - early["threads"]:+d} |

- runs: {status_counts}; non-baseline events {event_counts}, deliveries made {delivered}; run time (crawl subprocess + bookkeeping) median {sorted(seconds)[len(seconds) // 2]:.1f} s,
  max {max(seconds):.1f} s; runs {args.early + 1}–{args.runs} took {elapsed:.0f} s, the whole bench {total:.0f} s.
- CPU (user + system) of the daemon and its crawl processes: {cpu:.1f} s, {cpu / max(1, len(statuses)):.2f} s per
  run; {len(pids)} crawl processes for {len(statuses)} runs.
- failed runs: {"; ".join(failures) or "none"}
- SIGTERM: daemon exit status {code}; crawl processes left behind: {len(leftover)}.
- Verdict: RSS growth {growth * 100:+.1f}% ({"within" if growth <= MAX_GROWTH else "OVER"} the 10% bound).
"""
    write_section("daemon", body)
    print(body)
    return 0 if growth <= MAX_GROWTH and code == 0 and not leftover else 1


if __name__ == "__main__":
    sys.exit(main())
