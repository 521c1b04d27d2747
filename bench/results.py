"""Each benchmark owns one section of bench/RESULTS.md and rewrites only that section."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
from datetime import date
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = "# Benchmark results\n\nWritten by `make bench` (and `make soak`); each script rewrites only its own section.\n"
LIBRARIES = ("scrapy", "twisted", "lxml", "sqlite-utils", "apscheduler", "datasette")


def machine() -> str:
    """One line naming the machine, Python and library versions, and the date."""
    try:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        mem = "?"
    libs = []
    for name in LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            libs.append(f"{name} {metadata.version(name)}")
    return (
        f"{date.today().isoformat()} · {os.cpu_count()} cores, {mem} · Python {platform.python_version()}"
        f" ({sys.implementation.name}) · " + ", ".join(libs)
    )


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``## name`` of RESULTS.md with ``body``."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    section = f"## {name}\n\n_{machine()}_\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
