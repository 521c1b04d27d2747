"""The environment of govwatch's own child processes (batch crawls, daemon runs, the demo's days):
this process's environment, ``GOVWATCH_NOW`` included, with this checkout first on ``PYTHONPATH``
so the child imports the same code."""

from __future__ import annotations

import os
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
