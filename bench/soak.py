"""Soak: the reliability suite at length (``make soak``; not part of ``make test`` nor ``make bench``).

- kill trials: a real crawl subprocess SIGKILLed at a random moment (a random delay, or after a
  random number of recorded fetches), then a clean re-crawl; the database must pass
  ``PRAGMA integrity_check`` and hold exactly the site's releases, one ``new`` event each, one
  ``changed`` for the edit and nothing else (tests/reliability/kit.py, ``kill_trial``);
- fault rounds: a random mix of faults on a real local site for one to three runs in a row, then a
  clean run; no content event may appear, nothing stored may change, each fault must be a failed
  fetch of its kind, and ``fetch_failed`` may name only URLs that failed ``fail_after`` runs;
- two writers: two crawls of two sites into one database at once, one of them killed;
- batch kill trials: ``govwatch crawl`` of eight sites in crawl processes of three, one crawl
  process or the whole crawl SIGKILLed at a random moment, then a clean re-crawl; the same checks,
  and every event a sink (JSON Lines, webhook) received committed, received once
  (tests/reliability/batchkit.py, ``kill_trial``).

    .venv/bin/python bench/soak.py [--trials N] [--fault-rounds N] [--writer-rounds N]
                                   [--batch-trials N] [--seed N]

Writes section "soak" of bench/RESULTS.md (when any of the first three is run) and section "soak,
many sites per process" (when batch trials are).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from crawler.demo.server import serve  # noqa: E402
from crawler.demo.site import SampleSite, build_site  # noqa: E402
from tests.helpers import run_crawl, site_entry, write_config  # noqa: E402
from tests.reliability import batchkit  # noqa: E402
from tests.reliability.kit import (  # noqa: E402
    BENIGN_FAULTS,
    CONTENT_EVENTS,
    DETAIL_FAULTS,
    FAULT_RUN_DURATION,
    NOW,
    fault_site,
    integrity,
    kill_after,
    kill_trial,
    rows,
    run_fetches,
    site_keys,
    snapshot,
    start_crawl,
)

LIST_FAULTS = {"500": "http_500", "waf": "waf", "521": "http_521", "redirect_offsite": "redirect_offsite"}
FAIL_AFTER = 3


def log(msg: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------------------------------- kills
def kill_trials(n: int, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {"trials": 0, "killed": 0, "mid_crawl": 0, "corrupt": 0, "failed": [], "false": 0}
    for i in range(n):
        variant = ("baseline", "update")[i % 2]
        with tempfile.TemporaryDirectory(prefix="soak-kill-") as tmp:
            result = kill_trial(Path(tmp), random.Random(seed * 100_003 + i), variant=variant)
        out["trials"] += 1
        out["killed"] += int(result["killed"])
        out["mid_crawl"] += int(result["killed"] and result["fetches_at_kill"] > 0)
        problems = result["problems"]
        out["corrupt"] += int(any("integrity_check" in p for p in problems))
        out["false"] += int(any(p.startswith(("changed events", "unexpected events")) for p in problems))
        if problems:
            out["failed"].append(result)
            log(f"kill trial {i} ({variant}, {result['when']}): {problems[0][:300]}")
        if (i + 1) % 10 == 0:
            log(f"kill trials: {i + 1}/{n}, {len(out['failed'])} with problems")
    return out


def batch_kill_trials(n: int, seed: int) -> dict[str, Any]:
    from tests.report.reportkit import Receiver

    out: dict[str, Any] = {"trials": 0, "killed": 0, "mid_crawl": 0, "failed": [], "figures": Counter()}
    for i in range(n):
        variant = ("child", "tree")[i % 2]
        receiver = Receiver()
        try:
            with tempfile.TemporaryDirectory(prefix="soak-batch-kill-") as tmp:
                rng = random.Random(seed * 100_019 + i)
                result = batchkit.kill_trial(Path(tmp), rng, variant=variant, receiver=receiver)
        finally:
            receiver.stop()
        out["trials"] += 1
        out["killed"] += int(result["killed"])
        out["mid_crawl"] += int(result["killed"] and result["fetches_at_kill"] > 0)
        out["figures"].update(result["figures"])
        if result["problems"]:
            out["failed"].append(result)
            log(f"batch kill trial {i} ({variant}, {result['when']}): {result['problems'][0][:300]}")
        log(f"batch kill trials: {i + 1}/{n}, {len(out['failed'])} with problems")
    return out


# ---------------------------------------------------------------------------------------- faults
def fault_rounds(n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    covered: Counter[str] = Counter()
    out: dict[str, Any] = {"rounds": 0, "runs": 0, "false_events": [], "wrong_kind": [], "false_failed": []}
    with tempfile.TemporaryDirectory(prefix="soak-faults-") as tmp_name:
        tmp = Path(tmp_name)
        site = fault_site(26)
        with serve(site) as server:
            entry = site_entry(
                server.url, site, revisit="always", max_duration=FAULT_RUN_DURATION, fail_after=FAIL_AFTER
            )
            config = write_config(tmp, [entry])
            db = tmp / "govwatch.db"
            base = run_crawl(config, now=NOW)
            assert base.run["status"] == "ok", base
            before = snapshot(db)
            pages = [p for col in site.columns.values() for p in col.pages]
            # every kind comes round in turn (shuffled), so even a short soak covers them all
            kinds = [*DETAIL_FAULTS, *BENIGN_FAULTS]
            rng.shuffle(kinds)
            page_kinds = itertools.cycle(kinds)
            list_kinds = itertools.cycle(LIST_FAULTS)
            for r in range(n):
                chosen = rng.sample(pages, rng.randint(5, 10))
                plan: dict[str, str] = {}
                for page in chosen:
                    kind = next(page_kinds)
                    plan[server.url + site.page_path(page)] = kind
                    site.fault(site.page_path(page), sticky=kind)
                list_fault = None
                if r % 2 == 1:
                    cid = rng.choice(list(site.columns))
                    list_fault = (cid, next(list_kinds))
                    site.fault(site.column_url(cid), sticky=list_fault[1])
                    covered[f"list:{list_fault[1]}"] += 1
                down = r % 5 == 4
                site.down = down
                covered.update(["site_down"] if down else plan.values())
                runs = rng.randint(1, FAIL_AFTER)
                for _ in range(runs):
                    run = run_crawl(config, now=NOW, timeout=600)
                    out["runs"] += 1
                    bad = [e for e in run.events if e["type"] in CONTENT_EVENTS]
                    if bad or snapshot(db) != before:
                        out["false_events"].append({"round": r, "plan": plan, "events": bad})
                    failed_urls = {e["url"] for e in run.events if e["type"] == "fetch_failed"}
                    allowed = set(plan) | (
                        {server.url + site.column_url(list_fault[0])} if list_fault else set()
                    )
                    if down:
                        allowed |= {server.url + site.column_url(c) for c in site.columns} | {
                            server.url + site.page_path(p) for p in pages
                        }
                    if failed_urls - allowed:
                        out["false_failed"].append({"round": r, "urls": sorted(failed_urls - allowed)})
                    if down:
                        continue
                    fetched = run_fetches(db, run.run["id"])
                    for url, kind in plan.items():
                        row = fetched.get(url)
                        want = ("ok", None) if kind in BENIGN_FAULTS else ("error", DETAIL_FAULTS[kind][0])
                        got = (row["outcome"], row["error_kind"]) if row else None
                        if got != want:
                            out["wrong_kind"].append({"round": r, "fault": kind, "got": got, "want": want})
                site.clear_faults()
                site.down = False
                clean = run_crawl(config, now=NOW)
                out["runs"] += 1
                bad = [e for e in clean.events if e["type"] in CONTENT_EVENTS]
                if bad or clean.run["status"] != "ok":
                    out["false_events"].append({"round": r, "clean": True, "events": bad})
                out["rounds"] += 1
                log(
                    f"fault round {r + 1}/{n}: {runs} run(s), {len(plan)} page faults, list {list_fault}, down {down}"
                )
            # the trap, bounded by max_list_pages, at the end
            site.fault(site.column_url(next(iter(site.columns))), sticky="trap")
            trap = run_crawl(config, now=NOW, timeout=600)
            covered["trap"] += 1
            out["runs"] += 1
            if trap.run["status"] != "partial" or [e for e in trap.events if e["type"] in CONTENT_EVENTS]:
                out["false_events"].append({"trap": True, "run": trap.run, "events": trap.events})
            site.clear_faults()
    out["covered"] = covered
    return out


# ---------------------------------------------------------------------------------------- writers
def trs_site(n: int, first_id: int) -> SampleSite:
    site = SampleSite(profile="trs", encoding="gbk")
    site._ids = itertools.count(first_id)
    for cid, name in (("zwgk", "政务公开"), ("tzgg", "通知公告")):
        site.add_column(cid, name, per_page=10)
    for i in range(n):
        site.add_page(("zwgk", "tzgg")[i % 2], day=date(2022, 9, 14) - timedelta(days=i), top=False)
    return site


def writer_rounds(n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    out: dict[str, Any] = {"rounds": 0, "corrupt": 0, "problems": []}
    for r in range(n):
        one, two = build_site(60, per_page=10), trs_site(60, 61_000_001 + r * 1000)
        with (
            tempfile.TemporaryDirectory(prefix="soak-writers-") as tmp_name,
            serve(one) as s1,
            serve(two) as s2,
        ):
            tmp = Path(tmp_name)
            config = write_config(
                tmp, [site_entry(s1.url, one, name="one"), site_entry(s2.url, two, name="two")]
            )
            db = tmp / "govwatch.db"
            a, b = start_crawl(config, "--site", "one"), start_crawl(config, "--site", "two")
            victim, other = (a, b) if rng.random() < 0.5 else (b, a)
            kill_after(victim, rng.uniform(0.3, 2.0))
            other.wait(timeout=600)
            if integrity(db) != "ok":
                out["corrupt"] += 1
            a, b = start_crawl(config, "--site", "one"), start_crawl(config, "--site", "two")
            a.wait(timeout=600)
            b.wait(timeout=600)
            if integrity(db) != "ok":
                out["corrupt"] += 1
            for name, site in (("one", one), ("two", two)):
                keys = {row["key"] for row in rows(db, "SELECT key FROM releases WHERE site = ?", name)}
                news = Counter(
                    row["key"]
                    for row in rows(db, "SELECT key FROM events WHERE type = 'new' AND site = ?", name)
                )
                if keys != site_keys(site) or set(news.values()) != {1}:
                    out["problems"].append(
                        {"round": r, "site": name, "missing": sorted(site_keys(site) - keys)}
                    )
        out["rounds"] += 1
    return out


# ---------------------------------------------------------------------------------------- report
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=100, help="kill trials (default 100)")
    parser.add_argument("--fault-rounds", type=int, default=20, help="fault rounds (default 20)")
    parser.add_argument("--writer-rounds", type=int, default=5, help="two-writer rounds (default 5)")
    parser.add_argument(
        "--batch-trials", type=int, default=20, help="kill trials of batch crawls (default 20)"
    )
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()

    bad = 0
    if args.trials or args.fault_rounds or args.writer_rounds:
        bad += single_site(args)
    if args.batch_trials:
        bad += batches(args)
    return 1 if bad else 0


def single_site(args: argparse.Namespace) -> int:
    """Kill trials, fault rounds and two writers of one site per crawl: section "soak"."""
    started = time.monotonic()
    log(f"{args.trials} kill trials")
    kills = kill_trials(args.trials, args.seed)
    log(f"{args.fault_rounds} fault rounds")
    faults = fault_rounds(args.fault_rounds, args.seed)
    log(f"{args.writer_rounds} two-writer rounds")
    writers = writer_rounds(args.writer_rounds, args.seed)
    took = time.monotonic() - started

    covered = faults["covered"]
    false_events = len(faults["false_events"]) + kills["false"]
    body = f"""
`python bench/soak.py --trials {args.trials} --fault-rounds {args.fault_rounds} --writer-rounds {args.writer_rounds} --seed {args.seed}` — {took / 60:.1f} min.

| check | result |
|---|---|
| kill trials (SIGKILL of a real crawl, then a clean re-crawl) | {kills["trials"]} ({kills["killed"]} killed, {kills["mid_crawl"]} of them after fetches were recorded) |
| trials with a corrupt database (`PRAGMA integrity_check`) | {kills["corrupt"]} |
| trials with lost releases, repeated or missing `new`, wrong baseline flags or stray events | {len(kills["failed"])} |
| fault rounds / crawls under faults | {faults["rounds"]} / {faults["runs"]} |
| fault types covered | {len(covered)}: {", ".join(sorted(covered))} |
| false content events observed (new, changed, removed, restored, conflict, tampered) | {false_events} |
| faults not recorded as a failed fetch of their kind | {len(faults["wrong_kind"])} |
| `fetch_failed` naming a URL that was not failing | {len(faults["false_failed"])} |
| two-writer rounds (two sites into one database, one crawl killed) / corrupt / incomplete | {writers["rounds"]} / {writers["corrupt"]} / {len(writers["problems"])} |
"""
    print(body)
    for name, items in (
        ("kill trial problems", kills["failed"]),
        ("false events", faults["false_events"]),
        ("wrong kinds", faults["wrong_kind"]),
        ("false fetch_failed", faults["false_failed"]),
        ("writer problems", writers["problems"]),
    ):
        for item in items[:10]:
            print(f"{name}: {str(item)[:1500]}")
    if not args.no_write:
        write_section("soak", body)
    bad = (
        kills["corrupt"]
        + len(kills["failed"])
        + false_events
        + len(faults["wrong_kind"])
        + len(faults["false_failed"])
        + writers["corrupt"]
        + len(writers["problems"])
    )
    return bad


def batches(args: argparse.Namespace) -> int:
    """Kill trials of batch crawls (many sites per crawl process): section "soak, many sites per
    process"."""
    started = time.monotonic()
    log(f"{args.batch_trials} batch kill trials")
    trials = batch_kill_trials(args.batch_trials, args.seed)
    took = time.monotonic() - started
    f = trials["figures"]
    body = f"""
`python bench/soak.py --trials 0 --fault-rounds 0 --writer-rounds 0 --batch-trials {args.batch_trials} --seed {args.seed}` — {took / 60:.1f} min.

Each trial: `govwatch crawl` of 8 sites (Hanweb and TRS, 6 releases each, each on its own local
server) in crawl processes of 3 sites, `crawl.processes` (2 here) at once; a clean first crawl,
then 6 sites publish 2 releases each and 2 edit one; the crawl that finds them is SIGKILLed after a
random number (1–40) of recorded fetches — one of its crawl processes (trials alternate) or
`govwatch crawl` with all of them — then crawled again. Sinks: a JSON Lines file and a webhook on
127.0.0.1.

| check | result |
|---|---|
| trials (one crawl process killed / the whole crawl killed) | {trials["trials"]} ({(trials["trials"] + 1) // 2} / {trials["trials"] // 2}); {trials["killed"]} killed, {trials["mid_crawl"]} after fetches were recorded |
| corrupt databases (`PRAGMA integrity_check`, after the kill and after the re-crawl) | {f["corrupt"]} |
| runs left `running` after the supervisor settled, or after the re-crawl | {f["runs left running"]} |
| lost releases / lost events (`new` or `changed` missing) | {f["lost releases"]} / {f["lost events"]} |
| duplicated events (a release's `new` or an edit's `changed` more than once) | {f["duplicated events"]} |
| events delivered though not committed / delivered twice / never delivered (both sinks) | {f["deliveries of uncommitted events"]} / {f["deliveries twice"]} / {f["events never delivered"]} |
| trials with any problem (above, wrong baseline flags, stray events, a failed re-crawl) | {len(trials["failed"])} |
"""
    print(body)
    for item in trials["failed"][:10]:
        print(f"batch kill trial problems: {str(item)[:1500]}")
    if not args.no_write:
        write_section("soak, many sites per process", body)
    return len(trials["failed"])


if __name__ == "__main__":
    sys.exit(main())
