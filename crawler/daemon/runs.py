"""Crawl subprocesses: start one per run in its own process group, stop it (SIGTERM, then SIGKILL
after a grace period), and stop them all when the daemon shuts down."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path


class Child:
    """One running crawl. ``reason`` says why the daemon stopped it (``timeout``, ``shutdown``), if it did."""

    def __init__(self, proc: subprocess.Popen[bytes], site: str) -> None:
        self.proc = proc
        self.site = site
        self.reason: str | None = None
        self.started = time.monotonic()
        self._lock = threading.Lock()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def signal(self, sig: int) -> None:
        """Signal the crawl's whole process group while its leader is still ours to signal."""
        with self._lock:
            if self.proc.poll() is not None:
                return
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)

    def terminate(self, reason: str) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
        self.signal(signal.SIGTERM)

    def stop(self, reason: str, grace: float) -> int:
        """SIGTERM, wait up to ``grace`` seconds, then SIGKILL; returns the exit status."""
        self.terminate(reason)
        try:
            return self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            return self.proc.wait()

    def wait(self, timeout: float, grace: float) -> int:
        """Wait for the crawl to end; past ``timeout`` seconds stop it as ``timeout``."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return self.stop("timeout", grace)


class Children:
    """The crawls in flight. Once ``stopping`` no new crawl starts; ``active`` counts runs until their
    bookkeeping (recording, delivery) is done, so shutdown can wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._children: set[Child] = set()
        self.active = 0
        self.stopping = False

    def begin(self) -> bool:
        with self._lock:
            if self.stopping:
                return False
            self.active += 1
            return True

    def end(self) -> None:
        with self._lock:
            self.active -= 1
            self._lock.notify_all()

    def spawn(self, cmd: Sequence[str], site: str, output: Path, env: dict[str, str]) -> Child | None:
        with self._lock:
            if self.stopping:
                return None
            with open(output, "wb") as out:
                proc = subprocess.Popen(
                    list(cmd),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,  # a terminal's Ctrl-C reaches the daemon only; it stops the crawls
                    close_fds=True,
                )
            child = Child(proc, site)
            self._children.add(child)
            return child

    def forget(self, child: Child) -> None:
        with self._lock:
            self._children.discard(child)

    def running(self) -> list[Child]:
        with self._lock:
            return [c for c in self._children if c.proc.poll() is None]

    def stop_all(self, grace: float) -> list[Child]:
        """Refuse new crawls, SIGTERM every running one, SIGKILL those still alive after ``grace``."""
        with self._lock:
            self.stopping = True
        children = self.running()
        for child in children:
            child.terminate("shutdown")
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.signal(signal.SIGKILL)
        return children

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every run's bookkeeping is done; False when ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.active > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(timeout=min(left, 1.0))
        return True
