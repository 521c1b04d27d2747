"""N sites: the cost of watching N government sites from one machine (bench/scalegen.py serves them,
each on its own loopback address, 3 columns × 20 releases, Hanweb and TRS mixed).

For each N, three cycles of ``govwatch crawl`` over every site (default politeness, link checks off —
they are not part of a cycle):

- **baseline**: the first crawl (every list page, every release);
- **no change**: six hours later (the default schedule's next run), nothing new, no revisit due —
  list pages only;
- **1% publish**: six hours after that, one site in a hundred lists one new release.

Each cycle: wall time, CPU seconds (every crawl process, the server excluded), requests, peak RSS
(every crawl process at once), database size; per-site cost; bytes per stored version and an
estimate per site-year.

    python bench/scale.py [--sizes 100,1000] [--large]

``--large`` adds N = 10,000 (``make bench-scale``). Writes section "N sites" of bench/RESULTS.md.
A baseline of 10,000 sites is about two CPU hours: ``--workdir DIR --baseline-only`` crawls and keeps
it, ``--workdir DIR --reuse-baseline`` measures the later cycles against a copy of it; ``--on DB``
measures the cycles of the first N sites against an archive in place (a larger baseline cut short;
``--round K`` when it already had K pairs of later cycles: they run 12 hours later each, with other
sites publishing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crawl import free_port  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.scalegen import COLUMNS, address, profile  # noqa: E402

T0 = "2022-09-15T09:00:00+08:00"
T1 = "2022-09-15T15:00:00+08:00"
T2 = "2022-09-15T21:00:00+08:00"
#: the default schedule, "0 */6 * * *": four cycles a day
CYCLES_PER_YEAR = 4 * 365
#: releases a site publishes in a year, for the per-site-year estimate (the benchmark's sites hold 60)
RELEASES_PER_YEAR = 60


class Server:
    def __init__(self, n: int, port: int, publish: float = 0.0, shift: int = 0) -> None:
        cmd = [sys.executable, str(ROOT / "bench/scalegen.py"), str(n), str(port), "--publish", str(publish)]
        cmd += ["--round", str(shift)]
        self.proc = psutil.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.proc.stdout.readline()

    def cpu(self) -> float:
        t = self.proc.cpu_times()
        return t.user + t.system

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


@dataclass
class Cycle:
    name: str
    seconds: float = 0.0
    cpu: float = 0.0
    peak_rss_mb: float = 0.0
    requests: int = 0
    db_mb: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)


def write_config(tmp: Path, n: int, port: int, database: Path | None = None) -> Path:
    sites = []
    for i in range(n):
        base = f"http://{address(i)}:{port}"
        trs = profile(i) == "trs"
        sites.append(
            {
                "name": f"s{i:05d}",
                "base_url": base,
                "profile": profile(i),
                "columns": [
                    {
                        "name": name,
                        "url": f"{base}/col/col{cid}/index.html" if not trs else f"{base}/{cid}/index.html",
                        "kind": "other",
                    }
                    for cid, name, _ in COLUMNS
                ],
            }
        )
    data = {
        "database": str(database or tmp / "govwatch.db"),
        "sinks": [],
        "link_check": {"enabled": False},
        "sites": sites,
    }
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def db_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1024 / 1024


def cycle(name: str, config: Path, now: str) -> Cycle:
    report = config.parent / f"report-{name}.json"
    cmd = [sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--no-notify"]
    cmd += ["--report-json", str(report)]
    env = {**os.environ, "GOVWATCH_NOW": now}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc))
        time.sleep(0.25)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reader.join(5)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{name}: crawl exited {proc.returncode}: {b''.join(errors)[-3000:]!r}")
    data = json.loads(report.read_text(encoding="utf-8"))
    result = Cycle(name, seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    result.peak_rss_mb = peak / 1024 / 1024
    result.requests = sum(int(r.get("requests") or 0) for r in data["runs"])
    for run in data["runs"]:
        result.statuses[run["status"]] = result.statuses.get(run["status"], 0) + 1
    for event in data["events"]:
        if not event.get("baseline"):
            result.events[event["type"]] = result.events.get(event["type"], 0) + 1
    result.db_mb = db_mb(Path(yaml.safe_load(config.read_text(encoding="utf-8"))["database"]))
    return result


def version_bytes(db: Path) -> tuple[int, float, float]:
    """(versions, bytes per version in the versions table, raw HTML share of it)."""
    conn = sqlite3.connect(db)
    try:
        versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        try:
            table = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'versions'").fetchone()[0]
        except sqlite3.OperationalError:  # no dbstat: the rows' own lengths
            table = None
        cols = [r[1] for r in conn.execute("PRAGMA table_info(versions)")]
        lengths = " + ".join(f'coalesce(length(CAST("{c}" AS BLOB)), 0)' for c in cols)
        payload = conn.execute(f"SELECT sum({lengths}) FROM versions").fetchone()[0] or 0
        raw = conn.execute("SELECT sum(length(raw_html)) FROM versions").fetchone()[0] or 0
    finally:
        conn.close()
    per = (table or payload) / max(1, versions)
    return versions, per, raw / max(1, payload)


def commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or "?"


def baseline_cycle(n: int, workdir: Path | None, reuse: bool) -> tuple[Path, int, Cycle, float, str | None]:
    """(config, port, baseline cycle, server CPU, commit of a reused baseline). With ``workdir`` the
    baseline's database and figures are kept in ``workdir/N`` (``baseline.db``, ``baseline.json``);
    with ``reuse`` a kept baseline is copied back instead of crawled again (the cycles after it are
    then measured on today's code against a baseline crawled by the commit it names)."""
    tmp = workdir / str(n) if workdir else Path(tempfile.mkdtemp(prefix=f"govwatch-scale-{n}-"))
    tmp.mkdir(parents=True, exist_ok=True)
    kept = tmp / "baseline.json"
    if reuse and kept.exists():
        data = json.loads(kept.read_text(encoding="utf-8"))
        config = write_config(tmp, n, data["port"])
        for suffix in ("-wal", "-shm"):
            (tmp / f"govwatch.db{suffix}").unlink(missing_ok=True)
        shutil.copyfile(tmp / "baseline.db", tmp / "govwatch.db")
        migrate(tmp / "govwatch.db")
        return config, data["port"], Cycle(**data["cycle"]), data["server_cpu"], data["commit"]
    port = free_port()
    config = write_config(tmp, n, port)
    server = Server(n, port)
    try:
        baseline = cycle("baseline", config, T0)
        server_cpu = server.cpu()
    finally:
        server.stop()
    if workdir:
        with sqlite3.connect(tmp / "govwatch.db") as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(tmp / "govwatch.db", tmp / "baseline.db")
        data = {"port": port, "cycle": asdict(baseline), "server_cpu": server_cpu, "commit": commit()}
        kept.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return config, port, baseline, server_cpu, None


def later_cycles(config: Path, n: int, port: int, round_: int = 0) -> tuple[Cycle, Cycle]:
    """The no-change cycle, then the one where 1% of the sites publish a release. Round K (an
    archive that already had K such pairs) runs 12 hours later per round, with other sites
    publishing."""
    cycles = []
    for name, now, publish in (("no change", T1, 0.0), ("1% publish", T2, 0.01)):
        now = later(now, hours=12 * round_)
        server = Server(n, port, publish=publish, shift=round_)
        try:
            cycles.append(cycle(name, config, now))
        finally:
            server.stop()
    return cycles[0], cycles[1]


def later(stamp: str, hours: int) -> str:
    return (datetime.fromisoformat(stamp) + timedelta(hours=hours)).isoformat()


def bench_size(n: int, workdir: Path | None = None, reuse: bool = False) -> dict:
    config, port, baseline, server_cpu, reused = baseline_cycle(n, workdir, reuse)
    tmp = config.parent
    same, published = later_cycles(config, n, port)
    versions, per_version, raw_share = version_bytes(tmp / "govwatch.db")
    return {
        "n": n,
        "cycles": [baseline, same, published],
        "versions": versions,
        "per_version": per_version,
        "raw_share": raw_share,
        "server_cpu_baseline": server_cpu,
        "growth_per_cycle_mb": same.db_mb - baseline.db_mb,
        "reused": reused,
    }


def migrate(db: Path) -> None:
    """Bring a kept archive to today's schema before a cycle is measured (a new index on a large
    archive would otherwise be counted in the first cycle)."""
    from crawler.store import Store

    Store(db).close()


def bench_on(n: int, db: Path, round_: int = 0) -> dict:
    """The no-change and 1% cycles of sites 0 … N-1 against an archive whose baseline holds them (and
    maybe more sites: a baseline of a larger N cut short), in place. Its sites' port is read from
    the ``config.yaml`` beside it. ``round_``: the archive already had that many pairs of cycles."""
    text = (db.parent / "config.yaml").read_text(encoding="utf-8")
    found = re.search(r"base_url: http://[0-9.]+:([0-9]+)", text)
    if found is None:
        raise SystemExit(f"{db.parent / 'config.yaml'}: no base_url with a port")
    port = int(found[1])
    tmp = db.parent / f"cycles-{n}"
    tmp.mkdir(exist_ok=True)
    config = write_config(tmp, n, port, database=db)
    migrate(db)
    before = Cycle("archive before", db_mb=db_mb(db))
    same, published = later_cycles(config, n, port, round_)
    versions, per_version, raw_share = version_bytes(db)
    return {
        "n": n,
        "cycles": [same, published],
        "before": before,
        "versions": versions,
        "per_version": per_version,
        "raw_share": raw_share,
        "server_cpu_baseline": 0.0,
        "growth_per_cycle_mb": same.db_mb - before.db_mb,
        "reused": None,
    }


def report(results: list[dict], notes: str) -> str:
    lines = [
        "| N | cycle | wall s | CPU s | CPU ms / site | requests | peak RSS MB | database MB | runs | events |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        n = r["n"]
        for c in r["cycles"]:
            if c.name == "baseline" and r.get("reused"):
                c = replace(c, name=f"baseline (crawled by {r['reused']})")
            runs = ", ".join(f"{k} {v}" for k, v in sorted(c.statuses.items()))
            events = ", ".join(f"{k} {v}" for k, v in sorted(c.events.items())) or "—"
            lines.append(
                f"| {n:,} | {c.name} | {c.seconds:.0f} | {c.cpu:.0f} | {c.cpu / n * 1000:.0f} | {c.requests:,}"
                f" | {c.peak_rss_mb:.0f} | {c.db_mb:.1f} | {runs} | {events} |"
            )
    lines += [
        "",
        "| N | versions | bytes / version (versions table) | raw HTML share | database bytes / version"
        " | growth / no-change cycle | database / site-year (est.) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        n = r["n"]
        growth = r["growth_per_cycle_mb"] * 1024 * 1024 / n
        first = r.get("before") or r["cycles"][0]
        whole = first.db_mb * 1024 * 1024 / max(1, r["versions"])
        year = growth * CYCLES_PER_YEAR + whole * RELEASES_PER_YEAR
        lines.append(
            f"| {n:,} | {r['versions']:,} | {r['per_version']:,.0f} | {r['raw_share']:.0%}"
            f" | {whole:,.0f} | {growth:,.0f} B / site | {year / 1024 / 1024:.1f} MB |"
        )
    return "\n".join(lines) + "\n\n" + notes


NOTES = """Per site-year: the no-change cycle's growth per site × {cycles} cycles (schedule `0 */6 * * *`) +
{releases} new versions × the database's bytes per version after the baseline (raw HTML kept; the
search index and the release, URL, fetch and event rows included). Peak RSS sums every crawl process alive
at once (the supervisor and its batch process). CPU counts every crawl process, not the server.
Goals: no-change cycle of 10,000 sites ≤ 15 min wall, peak RSS ≤ 1 GB, CPU per site flat within 20%
from 100 to 10,000; ≤ 5 KB per version."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--large", action="store_true", help="add N = 10,000")
    parser.add_argument("--note", default="", help="a line added under the table (how it was run)")
    parser.add_argument("--workdir", type=Path, help="keep each N's baseline here (DIR/N/baseline.db)")
    parser.add_argument(
        "--reuse-baseline", action="store_true", help="copy a kept baseline instead of crawling it"
    )
    parser.add_argument(
        "--baseline-only", action="store_true", help="crawl and keep the baselines, nothing else"
    )
    parser.add_argument(
        "--on",
        type=Path,
        help="measure the cycles of the first N sites against this archive, in place (with --reuse-baseline:"
        " the sizes without a kept baseline)",
    )
    parser.add_argument(
        "--round",
        type=int,
        default=0,
        help="with --on: the archive already had this many pairs of later cycles (12 h later each, other"
        " sites publishing)",
    )
    args = parser.parse_args()
    if (args.reuse_baseline or args.baseline_only) and not args.workdir:
        parser.error("--reuse-baseline and --baseline-only need --workdir")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.large and 10_000 not in sizes:
        sizes.append(10_000)
    results = []
    for n in sizes:
        print(f"N = {n:,} …", flush=True)
        if args.baseline_only:
            print(f"  {baseline_cycle(n, args.workdir, args.reuse_baseline)[2]}", flush=True)
            continue
        kept = args.reuse_baseline and args.workdir and (args.workdir / str(n) / "baseline.json").exists()
        r = (
            bench_on(n, args.on, args.round)
            if args.on and not kept
            else bench_size(n, args.workdir, args.reuse_baseline)
        )
        for c in r["cycles"]:
            print(f"  {c}", flush=True)
        results.append(r)
    if not results:
        return
    notes = NOTES.format(cycles=CYCLES_PER_YEAR, releases=RELEASES_PER_YEAR)
    if args.note:
        notes += "\n\n" + args.note
    write_section("N sites", report(results, notes))


if __name__ == "__main__":
    main()
