"""The reliability checks with many sites per crawl process: sites with releases of their own, each on
its own real server, ``govwatch crawl`` over all of them (the batch supervisor and its crawl
processes), and the kill trial of ``bench/soak.py`` and ``tests/reliability/test_batch_kill.py``."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil

from crawler.demo.server import SiteServer, serve
from crawler.demo.site import SampleSite
from tests.helpers import batch_children, env_with, rows, site_entry, write_config
from tests.reliability.kit import NOW, fetch_count, integrity, last_run

#: the sample sites' two columns by profile
COLUMNS = {
    "hanweb": (("1229037214", "发布实录", "new"), ("1229037215", "通知公告", "old")),
    "trs": (("zwgk", "政务公开", ""), ("tzgg", "通知公告", "")),
}


def batch_site(n: int, number: int, *, profile: str | None = None) -> SampleSite:
    """Site ``number`` of a batch: ``n`` releases whose ids, 索引号 and URLs no other number shares
    (Hanweb for even numbers, TRS in GBK for odd ones unless ``profile`` says)."""
    profile = profile or ("hanweb", "trs")[number % 2]
    site = SampleSite(profile=profile, encoding="gbk" if profile == "trs" else "utf-8")
    site._ids = itertools.count(59_047_001 + number * 1000)
    for cid, name, form in COLUMNS[profile]:
        if form:
            site.add_column(cid, name, form=form, per_page=5)
        else:
            site.add_column(cid, name, per_page=5)
    cids = [c[0] for c in COLUMNS[profile]]
    for i in range(n):
        site.add_page(cids[i % 2], day=date(2022, 9, 14) - timedelta(days=i), top=False)
    return site


def keys_of(site: SampleSite) -> set[str]:
    return {p.index_no for col in site.columns.values() for p in col.pages if p.index_no}


@contextlib.contextmanager
def serving(sites: dict[str, SampleSite]) -> Iterator[dict[str, SiteServer]]:
    """Each site on a server of its own (127.0.0.1, a free port), for the block."""
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(serve(site)) for name, site in sites.items()}


def entries(
    sites: dict[str, SampleSite], servers: dict[str, Any], every: dict[str, Any] | None = None, **each: Any
) -> list[dict[str, Any]]:
    """Config items for ``sites``: ``every`` site's overrides, then ``each[name]``'s."""
    return [
        site_entry(servers[n].url, sites[n], name=n, **{**(every or {}), **each.get(n, {})}) for n in sites
    ]


def start(
    config: Path, *args: str, notify: bool = False, now: str = NOW, preexec_fn: Any = None
) -> subprocess.Popen[str]:
    """``govwatch crawl`` as a real subprocess (its report beside the config; output in a log file
    there, named by a failing test)."""
    tag = os.urandom(3).hex()
    report = config.parent / f"report-{tag}.json"
    log = config.parent / f"crawl-{tag}.log"
    cmd = [sys.executable, "-m", "crawler", "crawl", "--config", str(config), "--report-json", str(report)]
    cmd += list(args) + ([] if notify else ["--no-notify"])
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=config.parent,
            env=env_with(now),
            stdout=out,
            stderr=out,
            text=True,
            preexec_fn=preexec_fn,
        )
    proc.report = report  # type: ignore[attr-defined]
    proc.log = log  # type: ignore[attr-defined]
    return proc


def finish(proc: subprocess.Popen[str], timeout: float = 600) -> tuple[int, dict[str, Any], str]:
    """Wait for a crawl: (exit status, its report, its output)."""
    code = proc.wait(timeout=timeout)
    report: Path = proc.report  # type: ignore[attr-defined]
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {"runs": [], "events": []}
    return code, data, proc.log.read_text(errors="replace")  # type: ignore[attr-defined]


def crawl(
    config: Path, *args: str, notify: bool = False, timeout: float = 600, preexec_fn: Any = None
) -> tuple[int, dict[str, Any], str]:
    return finish(start(config, *args, notify=notify, preexec_fn=preexec_fn), timeout)


def kill_children(pid: int, rng: random.Random | None = None) -> list[int]:
    """SIGKILL the batch crawl processes of ``pid`` (an out-of-memory kill), or one of them chosen
    with ``rng``; their pids."""
    killed = []
    kids = batch_children(pid)
    if rng is not None and kids:
        kids = [rng.choice(kids)]
    for kid in kids:
        with contextlib.suppress(psutil.NoSuchProcess):
            kid.send_signal(signal.SIGKILL)
            killed.append(kid.pid)
    return killed


def kill_tree(proc: subprocess.Popen[str]) -> None:
    """SIGKILL ``govwatch crawl`` and its crawl processes at once (the machine's power cut): stopped
    first, so that it starts no process between the listing and the kill."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGSTOP)
    kids = batch_children(proc.pid)
    for kid in kids:
        with contextlib.suppress(psutil.NoSuchProcess):
            kid.send_signal(signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    psutil.wait_procs(kids, timeout=60)


def running_runs(db: Path) -> list[dict[str, Any]]:
    return rows(db, "SELECT id, site, status FROM runs WHERE status = 'running'", missing_ok=True)


def jsonl_ids(path: Path) -> list[int]:
    if not path.exists():
        return []
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def kill_trial(
    workdir: Path, rng: random.Random, *, variant: str, n_sites: int = 8, receiver: Any = None
) -> dict[str, Any]:
    """One ``govwatch crawl`` of ``n_sites`` sites (batches of 3, two of them at once)
    whose crawl processes are SIGKILLed at a random moment, then crawled again to completion.

    ``variant``: ``child`` — one crawl process is killed (as by the out-of-memory killer; the
    supervisor settles and re-runs its sites); ``tree`` — ``govwatch crawl`` and its crawl processes
    are killed at once. Before the kill a clean crawl stored every site, then half of them publish
    two releases each and a few edit one; the killed crawl and the next are the ones that find them.
    Every crawl delivers to a JSON Lines file and (with ``receiver``) a webhook.

    After the killed crawl's supervisor settles: ``PRAGMA integrity_check`` passes and (``child``)
    no run is left ``running``. After the re-crawl: no run ``running``, every release stored once,
    one ``new`` per release (the published ones not baseline), one ``changed`` for each edit,
    nothing else; every event a sink received is a committed event, received once, and every
    event to deliver was delivered.
    """
    sites = {f"s{i}": batch_site(6, i) for i in range(n_sites)}
    problems: list[str] = []
    figures: Counter[str] = Counter()
    db = workdir / "govwatch.db"
    sink_file = workdir / "events.jsonl"
    sinks: list[dict[str, Any]] = [{"type": "jsonl", "path": str(sink_file)}]
    if receiver is not None:
        sinks.append({"type": "webhook", "url": receiver.url, "retries": 2, "timeout": "5s"})
    with serving(sites) as servers:
        config = write_config(
            workdir,
            entries(sites, servers, {"revisit": "always"}),
            crawl={"batch_size": 3, "processes": 2},  # two at once, as for a crawl of many sites
            sinks=sinks,
        )
        code, first, out = crawl(config, notify=True)
        if code != 0 or {r["status"] for r in first["runs"]} != {"ok"}:
            problems.append(f"clean first crawl: rc={code} runs={first['runs']} output={out[-2500:]}")
        added: set[str] = set()
        edited: set[str] = set()
        for i, (name, site) in enumerate(sites.items()):
            if i % 3 == 2:  # two sites of three publish, Hanweb and TRS alike
                continue
            cids = list(site.columns)
            for j in range(2):
                added.add(site.add_page(cids[j], day=date(2022, 9, 15)).index_no or "")
            if i % 4 == 0:
                victim = site.columns[cids[1]].pages[-2]
                site.edit(victim.id, None, f"（{name}的本文已于近日修订）")
                edited.add(victim.index_no or "")
        for site in sites.values():
            site.latency = 0.03  # type: ignore[attr-defined]  # spread the crawl over a few seconds
        before = last_run(db)
        proc = start(config, notify=True)
        target = rng.randint(1, 40)
        if variant == "child":
            when: Any = f"a crawl process after {target} fetches"
            hit = wait_for(proc, lambda: fetch_count(db, before) >= target and batch_children(proc.pid))
            killed = kill_children(proc.pid, rng) if hit else []
            code, _report, out = finish(proc)
            if code not in (0, 1):
                problems.append(f"the supervisor after the kill: rc={code} output={out[-2500:]}")
            left = running_runs(db)
            if left:
                figures["runs left running"] += len(left)
                problems.append(f"runs left running after the supervisor settled: {left}")
        else:
            when = f"everything after {target} fetches"
            hit = wait_for(proc, lambda: fetch_count(db, before) >= target)
            killed = [proc.pid] if hit and proc.poll() is None else []
            kill_tree(proc)
        progress = fetch_count(db, before)
        for site in sites.values():
            site.latency = 0.0  # type: ignore[attr-defined]
        check = integrity(db)
        if check != "ok":
            figures["corrupt"] += 1
            problems.append(f"integrity_check after the kill: {check}")
        code, again, out = crawl(config, notify=True)
        if code != 0 or {r["status"] for r in again["runs"]} != {"ok"}:
            problems.append(f"re-crawl: rc={code} runs={again['runs']} output={out[-2500:]}")
        problems += _judge(db, sites, added, edited, sink_file, receiver, figures)
    return {
        "variant": variant,
        "when": when,
        "killed": bool(killed),
        "fetches_at_kill": progress,
        "problems": problems,
        "figures": figures,
    }


def wait_for(proc: subprocess.Popen[str], predicate: Any, timeout: float = 300) -> bool:
    """Poll ``predicate()`` until it holds (True) or ``proc`` ends or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # the database or its tables are not there yet, or locked
            pass
        time.sleep(0.01)
    return False


def _judge(
    db: Path,
    sites: dict[str, SampleSite],
    added: set[str],
    edited: set[str],
    sink_file: Path,
    receiver: Any,
    figures: Counter[str],
) -> list[str]:
    """What went wrong, in words; ``figures`` counts it (lost and duplicated releases and events,
    deliveries of events not committed, twice, or never)."""
    problems: list[str] = []
    check = integrity(db)
    if check != "ok":
        figures["corrupt"] += 1
        problems.append(f"integrity_check after the re-crawl: {check}")
    left = running_runs(db)
    if left:
        figures["runs left running"] += len(left)
        problems.append(f"runs left running after the re-crawl: {left}")
    everything = set().union(*(keys_of(s) for s in sites.values()))
    for name, site in sites.items():
        keys = {
            r["key"] for r in rows(db, "SELECT key FROM releases WHERE site = ? AND status = 'live'", name)
        }
        if keys != keys_of(site):
            figures["lost releases"] += len(keys_of(site) - keys)
            problems.append(
                f"{name}: releases missing {sorted(keys_of(site) - keys)}, extra {sorted(keys - keys_of(site))}"
            )
    events = rows(db, "SELECT id, type, key, baseline FROM events")
    news = Counter(e["key"] for e in events if e["type"] == "new")
    twice = sorted(k for k, n in news.items() if n != 1)
    figures["duplicated events"] += len(twice)
    figures["lost events"] += len(everything - set(news))
    if twice or set(news) != everything:
        problems.append(f"new events: repeated {twice}, missing {sorted(everything - set(news))}")
    wrong = sorted(
        e["key"] for e in events if e["type"] == "new" and bool(e["baseline"]) == (e["key"] in added)
    )
    if wrong:
        problems.append(f"new events with the wrong baseline flag: {wrong}")
    changed = Counter(e["key"] for e in events if e["type"] == "changed")
    figures["lost events"] += len(set(edited) - set(changed))
    figures["duplicated events"] += sum(1 for n in changed.values() if n > 1)
    if changed != Counter(edited):
        problems.append(f"changed events: {dict(changed)} (edited: {sorted(edited)})")
    others = sorted({e["type"] for e in events} - {"new", "changed", "stale_column"})
    if others:
        problems.append(f"unexpected events: {others}")
    # delivery: only committed events, each once, and every one to deliver (not baseline) delivered
    committed = {e["id"] for e in events}
    due = {e["id"] for e in events if not e["baseline"]}
    received = {"jsonl": jsonl_ids(sink_file)}
    if receiver is not None:
        received["webhook"] = receiver.ids()
    for sink, ids in received.items():
        counted = Counter(ids)
        figures["deliveries of uncommitted events"] += len(set(ids) - committed)
        figures["deliveries twice"] += sum(1 for n in counted.values() if n > 1)
        figures["events never delivered"] += len(due - set(ids))
        if set(ids) - committed:
            problems.append(
                f"{sink}: delivered events that are not committed: {sorted(set(ids) - committed)}"
            )
        if [i for i, n in counted.items() if n > 1]:
            problems.append(f"{sink}: delivered twice: {sorted(i for i, n in counted.items() if n > 1)}")
        if due - set(ids):
            problems.append(f"{sink}: never delivered: {sorted(due - set(ids))}")
    return problems
