"""File writing that two processes can share: advisory locks, atomic replacement.

A file appended to (JSON Lines) is locked through its own descriptor; a file replaced whole (the
Atom feed) through a lock file in the database's lock folder (``.govwatch.db.locks/``), never beside
the output.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def lock_file(path: Path, lock_dir: Path | None) -> Path:
    """Where the lock of output ``path`` lives: in ``lock_dir`` (the database's lock folder), named
    after the output's absolute path; without a lock folder, ``<path>.lock`` beside it."""
    if lock_dir is None:
        return Path(str(path) + ".lock")
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
    return lock_dir / f"output-{path.name}-{digest}.lock"


@contextlib.contextmanager
def locked(path: Path, lock_dir: Path | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the lock of ``path`` (``lock_file``) for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = lock_file(path, lock_dir)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(lock), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in the same folder, fsync it, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def append(path: Path, data: bytes) -> None:
    """Append ``data`` under an exclusive lock of the file itself, and fsync it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def create_new(path: Path, data: bytes) -> Path:
    """Create a file that did not exist, whole or not at all: ``path``, else ``stem-2.ext``, ``stem-3.ext``…

    The data goes to a temporary file first, which is then hard-linked under the first free name
    (``link`` fails instead of overwriting), so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        n = 1
        while True:
            candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
            try:
                os.link(tmp, candidate)
                return candidate
            except FileExistsError:
                n += 1
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
