"""Judging release pages (normalize, then the integrity rules) — in this process, or in a worker
process beside the crawl's reactor so that two cores share the work.

``judge_page`` is the one judgement, pure: the page's bytes and headers in, the release (or why the
page is not one) and its flags out. :class:`JudgeWorker` runs it in a child process
(``python -m crawler.crawl.judging``) fed through a pipe: the reactor sends a page and goes on
crawling; the answer arrives as a Deferred. The worker is an optimisation, never a dependency:

- it proves it judges with the same integrity rules as this process (its first message), or it is
  not used;
- when it dies, hangs (no answer for ``TIMEOUT`` seconds: it is killed) or cannot be started, every
  page waiting on it — and every later one — is judged in the crawl process as before, so a page
  that crashes the judgement still takes down the crawl process, and the batch supervisor still
  finds it by bisection;
- it reads its pipe until it closes: when the crawl process ends or is killed, it ends too.

Frames on the pipe: a 4-byte big-endian length, then a pickle. Requests ``(seq, args)``; answers
``(seq, ("ok", (release, flags, reason), prepared))`` (``prepared``: what the store will make of the
page, ``crawler.store.prepare``) or ``(seq, ("error", exception name, traceback))``;
the worker's first frame is ``("hello", rule names)``.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import sys
import time
import traceback
from collections.abc import Collection, Iterable
from typing import Any

from crawler.integrity import DETECTORS, check
from crawler.model import Flag, Release
from crawler.normalize import Document, normalize_document
from crawler.store.prepare import prepare

log = logging.getLogger("govwatch.crawl")

#: seconds the worker may take over one page before it is taken for hung and killed
TIMEOUT = 60.0
#: pages waiting on the worker past which the crawl process judges the next ones itself (the worker
#: is behind: its core is busy), so that neither process waits for the other
MAX_WAITING = 32
_HEAD = struct.Struct(">I")

#: ``(release or None, flags, why the page is not a release or None)``
Judgement = tuple[Release | None, list[Flag], str | None]


def judge_page(
    body: bytes,
    headers: dict[str, str] | None,
    url: str,
    site_hosts: frozenset[str],
    previous: Release | None,
    allow_hosts: Collection[str],
    ignore: Iterable[str],
) -> Judgement:
    """Normalize a fetched page and check it, decoded and parsed once for both."""
    doc = Document(body, headers)
    release = normalize_document(doc, url)
    if not release.is_release:
        return None, [], release.not_release_reason or "unknown"
    flags = check(
        doc, release, previous=previous, site_hosts=site_hosts, allow_hosts=allow_hosts, ignore=ignore
    )
    return release, flags, None


def _frame(message: object) -> bytes:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEAD.pack(len(data)) + data


class WorkerGone(Exception):
    """The worker cannot judge this page: judge it in this process."""


class JudgeWorker:
    """The crawl's side of the worker process: pages sent, answers matched to their Deferreds."""

    def __init__(self, after: int = 0) -> None:
        from twisted.internet.protocol import ProcessProtocol

        owner = self

        class _Protocol(ProcessProtocol):
            def outReceived(self, data: bytes) -> None:
                owner._received(data)

            def childConnectionLost(self, childFD: int) -> None:
                if childFD == 1:
                    owner._gone("its pipe closed")

            def processEnded(self, reason: Any) -> None:
                owner._gone("it ended")

        self.protocol = _Protocol()
        #: pages still to be judged in the crawl process before the worker is started
        self.after = after
        self.started = False
        self._pid_ended = False
        self.usable = True
        self.judged = 0
        self._seq = 0
        self._buffer = bytearray()
        self._waiting: dict[int, tuple[Any, float]] = {}  # seq -> (Deferred, sent at)

    @property
    def transport(self) -> Any:
        return self.protocol.transport

    @property
    def pid(self) -> int | None:
        return getattr(self.transport, "pid", None)

    def accepts(self) -> bool:
        """Whether the page to judge now goes to the worker: the crawl process has judged the first
        ``after`` itself (each call before that counts one of them), and the worker is usable and
        not ``MAX_WAITING`` pages behind."""
        if self.after > 0:
            self.after -= 1
            return False
        return self.usable and len(self._waiting) < MAX_WAITING

    def judge(self, args: tuple[Any, ...]) -> Any | None:
        """Send one page (``judge_page``'s arguments); a Deferred firing with the worker's answer
        (or failing with :class:`WorkerGone`), or None — judge it here — when the worker is not
        usable or already has ``MAX_WAITING`` pages."""
        if not self.started:
            self.start()
        if not self.usable or len(self._waiting) >= MAX_WAITING or self.transport is None:
            return None
        from twisted.internet.defer import Deferred

        self._seq += 1
        deferred: Deferred[Any] = Deferred()
        self._waiting[self._seq] = (deferred, time.monotonic())
        self.transport.write(_frame((self._seq, args)))
        return deferred

    def start(self) -> None:
        """Start the worker process (on the first page to judge: a crawl of list pages only never
        does); when it cannot be started, pages are judged in this process."""
        from twisted.internet import reactor as _reactor

        from crawler.children import child_env

        reactor: Any = _reactor
        self.started = True
        try:
            reactor.spawnProcess(
                self.protocol,
                sys.executable,
                [sys.executable, "-m", "crawler.crawl.judging"],
                env=child_env(),
                childFDs={0: "w", 1: "r", 2: 2},
            )
        except OSError as exc:
            log.warning("pages are judged in the crawl process: no worker process (%s)", exc)
            self.usable = False

    def _received(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= _HEAD.size:
            (size,) = _HEAD.unpack_from(self._buffer)
            if len(self._buffer) < _HEAD.size + size:
                return
            message = pickle.loads(bytes(self._buffer[_HEAD.size : _HEAD.size + size]))
            del self._buffer[: _HEAD.size + size]
            if message[0] == "hello":
                if tuple(message[1]) != tuple(DETECTORS):
                    self._gone("its integrity rules differ from this process's")
                continue
            seq, answer = message
            waiting = self._waiting.pop(seq, None)
            if waiting is not None:
                self.judged += 1
                waiting[0].callback(answer)

    def _gone(self, why: str) -> None:
        """Judge every waiting page, and every later one, in this process."""
        if self.usable:  # not stopped by this process: it died, hung or differs
            log.warning("the judging worker stopped (%s): pages are judged in the crawl process", why)
        self.usable = False
        waiting, self._waiting = self._waiting, {}
        for deferred, _ in waiting.values():
            deferred.errback(WorkerGone(why))
        self.stop()

    def check(self) -> None:
        """Called now and then: a worker that sits on a page past ``TIMEOUT`` is killed."""
        if self._waiting:
            oldest = min(sent for _, sent in self._waiting.values())
            if time.monotonic() - oldest > TIMEOUT:
                self._gone(f"no answer for {TIMEOUT:g}s")

    def stop(self) -> None:
        """End the worker (it holds nothing: a page it was judging is judged here) and reap it;
        once (its process id, once reaped, may be another process's)."""
        ended = self._pid_ended
        self.usable = False
        pid, self._pid_ended = self.pid, True
        if pid is not None and not ended:
            _end(pid)
        log.debug("the judging worker judged %d pages", self.judged)


def _end(pid: int, grace: float = 2.0) -> None:
    """SIGTERM the worker and wait for it (SIGKILL after ``grace``)."""
    try:
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + grace
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > end:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
            time.sleep(0.005)
    except (ChildProcessError, ProcessLookupError):  # already ended and reaped
        pass


def _prepared(release: Release | None, body: bytes) -> dict[str, Any] | None:
    """What the store will make of a release page when it records it, made here beside its
    judgement (``crawler.store.prepare``); None when that fails (the store makes it then)."""
    if release is None:
        return None
    try:
        return prepare(release, body)
    except Exception:
        return None


def _serve() -> None:
    """The worker: judge each page read from stdin, answer on stdout, until stdin closes."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing else may write to the answers' pipe
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the crawl's to handle
    source = sys.stdin.buffer
    out.write(_frame(("hello", tuple(DETECTORS))))
    out.flush()
    while True:
        head = source.read(_HEAD.size)
        if len(head) < _HEAD.size:
            return
        (size,) = _HEAD.unpack(head)
        seq, args = pickle.loads(source.read(size))
        try:
            judged = judge_page(*args)
            answer: tuple[Any, ...] = ("ok", judged, _prepared(judged[0], args[0]))
        except Exception as exc:
            answer = ("error", type(exc).__name__, traceback.format_exc())
        out.write(_frame((seq, answer)))
        out.flush()


if __name__ == "__main__":
    _serve()
