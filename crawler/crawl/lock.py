"""One crawl per (database, site) at a time: an advisory file lock beside the database."""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path
from types import TracebackType

from crawler.store import lock_folder


class SiteLocked(Exception):
    def __init__(self, site: str, path: Path) -> None:
        super().__init__(f"site {site!r} is being crawled by another process (lock {path})")
        self.site = site
        self.path = path


def lock_path(database: Path, site: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", site)
    return lock_folder(database) / f"{safe}.lock"


class SiteLock:
    """``with SiteLock(db, "quzhou"):`` — raises :class:`SiteLocked` at once when held elsewhere,
    or waits up to ``wait`` seconds when asked to."""

    def __init__(self, database: Path, site: str, wait: float = 0.0) -> None:
        self.path = lock_path(database, site)
        self.site = site
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> SiteLock:
        import time

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise SiteLocked(self.site, self.path) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
