"""The environment of govwatch's own child processes (batch crawls, daemon runs, the demo's days):
this process's environment, ``GOVWATCH_NOW`` included, with this checkout first on ``PYTHONPATH``
so the child imports the same code; and a batch process's tie to the crawl that started it."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path

import crawler


def child_env(**extra: str) -> dict[str, str]:
    """``os.environ`` plus this checkout on ``PYTHONPATH`` (once, first), plus ``extra``."""
    env = dict(os.environ)
    root = str(Path(crawler.__file__).resolve().parent.parent)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    env["PYTHONPATH"] = os.pathsep.join([root, *paths])
    env.update(extra)
    return env


#: prctl(2): the signal this process gets when the thread that started it ends
PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> bool:
    """Stop this process as on a shutdown (one SIGTERM) when ``parent`` — the crawl that started it —
    ends, even killed outright (SIGKILL, the out-of-memory killer): a batch process then records
    what it fetched instead of crawling on unsupervised. Linux only (elsewhere only the check
    below). False when ``parent`` has already ended.

    The kernel's signal comes as SIGHUP, turned here into a single SIGTERM: it is sent again each
    time the process passes to another of the dying parent's threads, and a second SIGTERM would
    stop the crawl at once instead of cleanly."""
    if sys.platform.startswith("linux"):
        signal.signal(signal.SIGHUP, _parent_ended)
        with contextlib.suppress(OSError, AttributeError):  # no libc symbol: the check below still holds
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGHUP), 0, 0, 0)
    return os.getppid() == parent


#: whether this process has already asked itself to stop (see end_with_parent)
_ending = False


def _parent_ended(_signum: int, _frame: object) -> None:
    """Once only: a SIGHUP arriving while this handler begins (the dying parent's threads end one
    after another) calls it again, before ``SIG_IGN`` below could have taken effect."""
    global _ending
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if _ending:
        return
    _ending = True
    os.kill(os.getpid(), signal.SIGTERM)
