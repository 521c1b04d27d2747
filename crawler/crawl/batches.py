"""The batch supervisor: many sites crawled by crawl processes of up to ``crawl.batch_size`` sites
each (``govwatch crawl --batch-child``), and what happens when one of them dies.

A crawl process that ends by itself has recorded every run it began. One that dies — killed for
memory, crashed, or stopped because it stalled (its heartbeat file untouched for ``STALL`` seconds:
a page holding the reactor) — leaves the runs it was crawling ``running``. The supervisor then
sorts the batch's sites by the runs the process said it began (a line each in its heartbeat file:
another crawl of the same database may have runs of the same sites, never taken for its own):

- runs the process finished stand;
- sites it never began are crawled again in a batch like any other;
- sites whose runs it left unfinished are the suspects: their runs are recorded ``failed`` (the
  process died under them) and they are crawled again in two halves, and so on — until a site whose
  process dies while it runs alone is the culprit: its run is recorded failed saying so, and it is
  not retried. Every other site of the batch ends with a run of its own.

``run_batches`` returns each site's last run as a :class:`~crawler.crawl.result.RunResult`, read
back from the store. The daemon runs it with ``daemon.max_parallel`` processes at once and its own
hooks (log lines, deliveries, shutdown); ``govwatch crawl`` with ``crawl.processes`` at once (by
default one per core that has a share of the work).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler import clock, heap
from crawler.children import child_env
from crawler.config import BatchConfigs, Config, ConfigError, SiteConfig
from crawler.crawl.cores import crawl_processes, judge_in_worker
from crawler.crawl.lock import SiteLock, SiteLocked
from crawler.crawl.result import RunResult
from crawler.store import Store
from crawler.store.files import storage_fault

#: seconds a crawl process may leave its heartbeat untouched before it is taken for stalled
STALL = 180.0
#: seconds between SIGTERM and SIGKILL when a crawl process is stopped
KILL_GRACE = 20.0
#: seconds to wait for a site's lock before settling its runs (a crawl of it elsewhere holds it)
LOCK_WAIT = 5.0


@dataclass
class Job:
    """Sites for one crawl process; ``alone`` after bisection has narrowed a death to one site."""

    sites: list[str]
    round: int = 0  # how many deaths led to this batch

    @property
    def alone(self) -> bool:
        return len(self.sites) == 1


@dataclass
class Death:
    """How a crawl process ended when it did not end by itself."""

    returncode: int
    killed: str | None = None  # stall | timeout | shutdown
    stall: float = STALL  # the supervisor's ``stall``: seconds without a heartbeat before a kill

    def note(self) -> str:
        if self.killed == "stall":
            return f"the crawl process stalled (no heartbeat for {self.stall:g}s) and was killed"
        if self.killed == "shutdown":
            return "stopped by a shutdown (SIGTERM or SIGINT)"
        if self.returncode < 0:
            return f"crawl process killed by signal {-self.returncode}"
        return f"crawl process ended with exit status {self.returncode} without finishing its runs"


@dataclass
class Outcome:
    """What one crawl process left: finished runs by site, suspects, sites never begun."""

    finished: dict[str, int] = field(default_factory=dict)  # site -> run id
    suspects: dict[str, list[int]] = field(default_factory=dict)  # site -> running run ids
    unstarted: list[str] = field(default_factory=list)
    death: Death | None = None
    output: str = ""
    before: int = 0  # the last run id before the process started


def chunks(names: list[str], size: int) -> Iterator[list[str]]:
    it = iter(names)
    while chunk := list(itertools.islice(it, max(1, size))):
        yield chunk


class Supervisor:
    """Runs crawl processes over batches of sites and bisects the ones that die.

    Hooks: ``on_start(sites, pid)`` when a process starts, ``on_runs(results)`` with the runs each
    process settled (in the thread that ran it); ``stopping()`` True once no new process may start
    (the daemon is shutting down: running ones are stopped with SIGTERM)."""

    def __init__(
        self,
        config: Config,
        config_path: Path,
        database: Path,
        *,
        run_timeout: float | None = None,
        parallel: int = 1,
        batch_size: int | None = None,
        inherit_output: bool = False,
        stall: float = STALL,
        on_start: Callable[[list[str], int], None] | None = None,
        on_runs: Callable[[list[RunResult]], None] | None = None,
        stopping: Callable[[], bool] | None = None,
    ) -> None:
        self.config = config
        self.config_path = config_path
        self.database = database
        self.run_timeout = run_timeout
        self.parallel = max(1, parallel)
        self.batch_size = batch_size
        self.inherit_output = inherit_output
        self.stall = stall
        self.on_start = on_start
        self.on_runs = on_runs
        self.stopping = stopping or (lambda: False)
        self.workdir = Path(tempfile.mkdtemp(prefix="govwatch-batches-"))
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._configs: BatchConfigs | bool | None = None  # False: the file could not be read

    # -- the plan ------------------------------------------------------------------------------------
    def run(self, sites: list[SiteConfig]) -> list[RunResult]:
        """Crawl ``sites`` in batches; each site's last run, in the order given (none for a site
        never begun because the supervisor was stopped)."""
        last: dict[str, RunResult] = {}
        size = self.batch_size or self.config.crawl.batch_size
        jobs: deque[Job] = deque(Job(chunk) for chunk in chunks([s.name for s in sites], size))
        try:
            with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="batch") as pool:
                running: dict[Future[list[Job]], Job] = {}
                while jobs or running:
                    while jobs and len(running) < self.parallel and not self.stopping():
                        job = jobs.popleft()
                        running[pool.submit(self._run_job, job, last)] = job
                    if not running:
                        break  # stopping: what is left is not begun
                    done, _ = wait(list(running), timeout=1.0, return_when=FIRST_COMPLETED)
                    for future in done:
                        running.pop(future)
                        jobs.extendleft(reversed(future.result()))
        finally:
            with contextlib.suppress(OSError):
                for path in self.workdir.iterdir():
                    path.unlink()
                self.workdir.rmdir()
        return [last[s.name] for s in sites if s.name in last]

    def _run_job(self, job: Job, last: dict[str, RunResult]) -> list[Job]:
        """One crawl process over ``job``; returns the batches still to crawl."""
        with Store(self.database) as store:
            before = store.last_run_id()
            outcome = self._crawl(job, store, before)
            results = [self._result(store, run_id) for run_id in outcome.finished.values()]
            follow: list[Job] = []
            if outcome.death is not None:
                results += self._settle_death(store, job, outcome, follow)
            if outcome.unstarted and outcome.death is not None and not self.stopping():
                follow.append(Job(outcome.unstarted, job.round))  # never begun: crawled again
            elif outcome.unstarted and outcome.death is None:
                # a process that ended by itself could not record their runs
                results += [self._unrecorded(site, outcome.output) for site in outcome.unstarted]
        for result in results:
            last[result.site] = result
        if self.on_runs is not None and results:
            self.on_runs(results)
        return follow

    def _settle_death(self, store: Store, job: Job, outcome: Outcome, follow: list[Job]) -> list[RunResult]:
        """Runs a dead process left unfinished: the culprit's recorded failed; suspects again, halved."""
        death = outcome.death
        assert death is not None
        suspects = list(outcome.suspects)
        out: list[RunResult] = []
        stopped = death.killed == "shutdown" or self.stopping()
        if stopped or job.alone:
            note = death.note()
            if job.alone and not stopped:
                note += " while crawling this site alone"
                if job.round:
                    note += f" (its batch died {job.round} time(s) and was split until it ran alone)"
            for site in suspects:
                run_ids = outcome.suspects[site]
                if stopped and not run_ids:
                    continue  # never begun: nothing to record
                try:
                    failed = self._fail_runs(store, site, run_ids, note, death, after=outcome.before)
                except Exception as exc:  # the database refuses the failure too: said, not lost
                    problem = storage_fault(exc, self.database)
                    if problem is None:
                        raise
                    out.append(self._unrecorded(site, f"{note}; {problem}"))
                    continue
                if failed is not None:
                    out.append(self._result(store, failed))
            return out
        note = (
            f"{death.note()} while crawling a batch of {len(job.sites)} sites; "
            "the site is crawled again in a smaller batch"
        )
        for site in suspects:
            try:
                self._fail_runs(
                    store,
                    site,
                    outcome.suspects[site],
                    note,
                    death,
                    after=outcome.before,
                    record_missing=False,
                )
            except Exception as exc:  # left running: the smaller batch's lock settles them
                if storage_fault(exc, self.database) is None:
                    raise
        if len(suspects) == 1:
            follow.append(Job(suspects, job.round + 1))
        elif suspects:
            half = (len(suspects) + 1) // 2
            follow += [Job(suspects[:half], job.round + 1), Job(suspects[half:], job.round + 1)]
        return out

    def _fail_runs(
        self,
        store: Store,
        site: str,
        run_ids: list[int],
        note: str,
        death: Death,
        *,
        after: int = 0,
        record_missing: bool = True,
    ) -> int | None:
        """Finish ``site``'s runs the process left ``running`` as failed (with its lock held, so a run
        being written by a live crawl is never touched), with any other run of the site begun since
        ``after`` and left running (the process died before it could say it began it); with none,
        record a failed run saying why. Returns the last run id (None when another crawl holds the
        site's lock)."""
        notes = {"error": note, "by": "supervisor", "returncode": death.returncode}
        if death.killed:
            notes["killed"] = death.killed
        try:
            with SiteLock(self.database, site, wait=LOCK_WAIT):
                run_ids = sorted({*run_ids, *store.unfinished_runs(site, after)})
                for run_id in run_ids:
                    if (store.run(run_id) or {}).get("status") == "running":
                        store.finish_run(run_id, "failed", {"notes": notes})
                if run_ids:
                    return run_ids[-1]
                if not record_missing:
                    return None
                run_id = int(store.start_run(site))
                store.finish_run(run_id, "failed", {"notes": notes})
                return run_id
        except SiteLocked:
            return None

    def _batch_config(self, job: Job, path: Path) -> Path | None:
        """The configuration with only ``job``'s sites, for its crawl process to read instead of the
        whole file (read here once); None — the process reads the file — when it cannot be made."""
        with self._lock:
            if self._configs is None:
                try:
                    self._configs = BatchConfigs(self.config_path)
                except (ConfigError, OSError):
                    self._configs = False
            configs = self._configs
        text = configs.text(job.sites) if isinstance(configs, BatchConfigs) else None
        if text is None:
            return None
        path.write_text(text, encoding="utf-8")
        return path

    # -- one crawl process -------------------------------------------------------------------------
    def _crawl(self, job: Job, store: Store, before: int) -> Outcome:
        token = next(self._ids)
        sites_file = self.workdir / f"batch-{token}.sites"
        heartbeat = self.workdir / f"batch-{token}.alive"
        report = self.workdir / f"batch-{token}.json"
        log_path = self.workdir / f"batch-{token}.log"
        sites_file.write_text("\n".join(job.sites) + "\n", encoding="utf-8")
        batch_config = self._batch_config(job, self.workdir / f"batch-{token}.yaml")
        heartbeat.touch()
        cmd = [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            "--config",
            str(self.config_path),
            "--db",
            str(self.database),
            "--sites-file",
            str(sites_file),
            "--no-notify",
            "--report-json",
            str(report),
            "--batch-child",
            "--heartbeat",
            str(heartbeat),
            "--supervisor",
            str(os.getpid()),
        ]
        if self.run_timeout:
            cmd += ["--run-timeout", f"{self.run_timeout:g}"]
        if batch_config is not None:
            cmd += ["--batch-config", str(batch_config)]
        # crawl.judge_worker, when each process has a core to spare for its worker (``auto``: the
        # process applies it, from the same configuration)
        if not judge_in_worker(self.config, self.parallel):
            cmd.append("--no-judge-worker")
        elif self.config.crawl.judge_worker is True:
            cmd.append("--judge-worker")
        with contextlib.ExitStack() as files:
            if self.inherit_output:  # the process's lines go to this one's stderr
                stdout: Any = sys.stderr.fileno()
                stderr: Any = None
            else:
                stdout, stderr = files.enter_context(open(log_path, "ab")), subprocess.STDOUT
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                env=child_env(),
                start_new_session=True,  # a terminal's Ctrl-C reaches the supervisor, which stops it
                close_fds=True,
            )
        with self._lock:
            self._procs.add(proc)
        if self.on_start is not None:
            self.on_start(job.sites, proc.pid)
        try:
            returncode, killed = self._wait(proc, heartbeat)
        finally:
            with self._lock:
                self._procs.discard(proc)
        outcome = self._outcome(store, job, before, report, returncode, killed, _own_runs(heartbeat))
        if not self.inherit_output:
            outcome.output = _tail(log_path)
        for path in (sites_file, heartbeat, report, log_path, batch_config):
            if path is None:
                continue
            with contextlib.suppress(OSError):
                path.unlink()
        return outcome

    def _wait(self, proc: subprocess.Popen[bytes], heartbeat: Path) -> tuple[int, str | None]:
        killed: str | None = None
        while True:
            try:
                return proc.wait(timeout=0.5), killed
            except subprocess.TimeoutExpired:
                pass
            if killed is None and self.stopping():
                killed = "shutdown"
                _signal(proc, signal.SIGTERM)
                threading.Thread(target=_kill_later, args=(proc, KILL_GRACE), daemon=True).start()
            elif killed is None and _age(heartbeat) > self.stall:
                killed = "stall"
                _signal(proc, signal.SIGKILL)

    def _outcome(
        self,
        store: Store,
        job: Job,
        before: int,
        report: Path,
        returncode: int,
        killed: str | None,
        own: dict[str, set[int]],
    ) -> Outcome:
        """Sort the batch's sites by what their runs say: the runs the process began (``own``, from
        its heartbeat file; another crawl of the same database may have runs of the same sites)."""
        outcome = Outcome(before=before)
        wrote_report = report.exists() and report.stat().st_size > 0
        if killed or returncode not in (0, 1) or not wrote_report:
            outcome.death = Death(returncode, killed, self.stall)
        for site in job.sites:
            mine = own.get(site, set())
            rows = [r for r in store.site_runs_after(site, before) if r["id"] in mine]
            if not rows:
                outcome.unstarted.append(site)
                continue
            running = [r["id"] for r in rows if r["status"] == "running"]
            if running and outcome.death is not None:
                outcome.suspects[site] = running
            else:
                outcome.finished[site] = rows[-1]["id"]
        if outcome.death is not None and not outcome.suspects and killed != "shutdown":
            # it died with no run going on (starting up, or beginning a site): the sites it had not
            # begun are the suspects
            outcome.suspects = {site: [] for site in outcome.unstarted}
            outcome.unstarted = []
        return outcome

    @staticmethod
    def _unrecorded(site: str, output: str) -> RunResult:
        """A site whose crawl process ended by itself without a run row for it (the database
        refused to record one): failed, not retried."""
        last = output.strip().splitlines()[-1] if output.strip() else "see the crawl's output"
        message = f"the run could not be recorded: {last}"
        now = clock.now_iso()
        return RunResult(0, site, "failed", now, now, message=message, reason=message)

    def _result(self, store: Store, run_id: int) -> RunResult:
        row = store.run(run_id) or {}
        notes, counts = row.get("notes") or {}, row.get("counts") or {}
        return RunResult(
            run_id,
            row.get("site", "?"),
            row.get("status", "failed"),
            row.get("started_at") or "",
            row.get("finished_at"),
            requests=int(row.get("requests") or 0),
            bytes=int(row.get("bytes") or 0),
            failed=int(counts.get("failed") or 0),
            events=store.run_events(run_id),
            message=notes.get("error") or counts.get("message"),
            storage_fault=notes.get("storage_fault"),
            reason=str(counts.get("reason") or notes.get("error") or counts.get("message") or ""),
        )

    def stop_all(self) -> None:
        """SIGTERM every crawl process (SIGKILL after ``KILL_GRACE``)."""
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            _signal(proc, signal.SIGTERM)
            threading.Thread(target=_kill_later, args=(proc, KILL_GRACE), daemon=True).start()

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [p.pid for p in self._procs]


def _signal(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)


def _kill_later(proc: subprocess.Popen[bytes], grace: float) -> None:
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal(proc, signal.SIGKILL)


def _own_runs(heartbeat: Path) -> dict[str, set[int]]:
    """The runs a crawl process said it began (``crawler.crawl.runner.note_run``), by site."""
    own: dict[str, set[int]] = {}
    try:
        lines = heartbeat.read_text(encoding="utf-8").splitlines()
    except OSError:
        return own
    for line in lines:
        site, _, run_id = line.rpartition("\t")
        if site and run_id.isdigit():
            own.setdefault(site, set()).add(int(run_id))
    return own


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _tail(path: Path, lines: int = 12, limit: int = 4096) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - limit))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def run_batches(
    config: Config, config_path: Path, sites: list[SiteConfig], store: Store, database: Path
) -> list[RunResult]:
    """``govwatch crawl`` with several sites: crawl processes at once (``crawl.processes``, else one
    per core that has a share of the work: ``cores.crawl_processes``) over batches of at most
    ``crawl.batch_size`` sites; the processes' output goes to this one's stderr. Stopped
    by SIGTERM or SIGINT, it returns the runs begun until then (no result for the other sites)."""
    heap.settle()  # the configuration is validated: the supervisor's start-up is done
    # every crawl process opens the database itself; here it only says which sites were crawled before
    processes = crawl_processes(config.crawl, [s.name for s in sites], store.baselined_sites)
    parallel, size = config.crawl.batches(len(sites), processes)
    stop = threading.Event()
    supervisor = Supervisor(
        config,
        config_path,
        database,
        parallel=parallel,
        batch_size=size,
        inherit_output=True,
        stopping=stop.is_set,
    )
    with _stopped_by_signals(stop):
        return supervisor.run(sites)


@contextlib.contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT (Ctrl-C: the crawl processes have sessions of their own, so it reaches
    only this one) set ``stop``: the supervisor stops its crawl processes, which record what they
    fetched, and begins no batch more. A second signal acts as it would have."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}

    def handle(_signum: int, _frame: Any) -> None:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
