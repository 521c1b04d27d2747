"""How the daemon groups due sites into batches (``crawler.daemon.dispatch``): sites due together
share a batch of up to ``batch_size``, at most ``max_parallel`` batches run at once, a site due
again while its batch runs is skipped, one that waited past ``misfire_grace`` is missed."""

from __future__ import annotations

import io
import json
import threading
import time

from crawler.daemon.dispatch import Dispatcher
from crawler.daemon.logs import DaemonLog


class Batches:
    """A ``run_batch`` that records each batch and holds it until released."""

    def __init__(self) -> None:
        self.started: list[list[str]] = []
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, sites: list[str]) -> None:
        with self._lock:
            self.started.append(sites)
        self.release.wait(30)

    def wait(self, n: int, timeout: float = 10) -> list[list[str]]:
        deadline = time.monotonic() + timeout
        while len(self.started) < n:
            assert time.monotonic() < deadline, f"{len(self.started)} batches started, waiting for {n}"
            time.sleep(0.02)
        return self.started


def dispatcher(batches: Batches, stream: io.StringIO, **kw: object) -> Dispatcher:
    options: dict = {"batch_size": 3, "max_parallel": 2, "misfire_grace": None, "gather": 0.3, **kw}
    d = Dispatcher(batches, DaemonLog(json_lines=True, stream=stream), **options)
    d.start()
    return d


def events(stream: io.StringIO, name: str) -> list[dict]:
    return [e for e in map(json.loads, stream.getvalue().splitlines()) if e["event"] == name]


def test_sites_due_together_share_batches_of_batch_size_and_max_parallel_run_at_once() -> None:
    batches, log = Batches(), io.StringIO()
    d = dispatcher(batches, log)
    for name in "abcdefg":  # within the gathering window
        d.submit(name)
    first = batches.wait(2)
    time.sleep(0.5)
    # 7 sites need 3 batches (of 3, 2 and 2, spread evenly); "f" and "g" wait: both places are taken
    assert first == [["a", "b", "c"], ["d", "e"]]
    assert d.submit("a") == [] and d.submit("g") == []
    assert [(e["site"], e["why"]) for e in events(log, "run_skipped")] == [
        ("a", "its previous run is still going"),
        ("g", "already waiting"),
    ]
    batches.release.set()
    assert batches.wait(3)[2] == ["f", "g"]
    assert d.wait_idle(10)
    assert d.submit("a") == ["a"]  # its batch ended: due again
    assert batches.wait(4)[3] == ["a"]
    d.stop()


def test_the_first_due_site_waits_the_gathering_window_for_others() -> None:
    batches, log = Batches(), io.StringIO()
    batches.release.set()
    d = dispatcher(batches, log, gather=1.0, batch_size=10)
    d.submit("a")
    time.sleep(0.4)
    d.submit("b")
    assert batches.wait(1) == [["a", "b"]]
    assert d.wait_idle(10)
    d.stop()


def test_a_site_that_waited_past_misfire_grace_is_missed() -> None:
    batches, log = Batches(), io.StringIO()
    d = dispatcher(batches, log, max_parallel=1, batch_size=1, misfire_grace=0.5, gather=0.0)
    d.submit("a", "b")
    batches.wait(1)
    time.sleep(1.0)  # "b" waits for the one place longer than misfire_grace
    batches.release.set()
    assert d.wait_idle(10)
    assert batches.started == [["a"]]
    assert [e["site"] for e in events(log, "run_missed")] == ["b"]
    d.stop()


def test_stop_drops_the_waiting_sites_and_lets_running_batches_end() -> None:
    batches, log = Batches(), io.StringIO()
    d = dispatcher(batches, log, max_parallel=1, batch_size=1, gather=0.0)
    d.submit("a", "b")
    batches.wait(1)
    assert d.stop() == ["b"]
    assert d.submit("c") == []
    assert not d.wait_idle(0.2)  # "a" is still being crawled
    batches.release.set()
    assert d.wait_idle(10)
    assert batches.started == [["a"]]
