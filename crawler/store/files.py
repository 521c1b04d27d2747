"""The database file: whether govwatch can use it, opening it read-only, and what a storage fault says.

- ``check_file(path)``: a directory is refused. The file itself is never opened here: closing any
  descriptor of a database file drops every SQLite lock the process holds on it (POSIX locks), which
  can corrupt it while another connection of the process writes; SQLite reads the header instead.
- ``check_govwatch(db, path)``: the first read of a new connection. A file that is not SQLite fails it
  (``SQLITE_NOTADB``) before anything is written; an SQLite file with tables must be govwatch's (its
  migrations are recorded) — another program's database is never migrated into a govwatch one.
- ``connect_read_only(path)``: ``mode=ro``, and ``immutable=1`` when even that cannot open (a WAL
  database in a folder nobody may write: nothing can be changing it).
- ``storage_fault(exc, path)``: one line for a fault of the disk or the file (full, read-only, I/O
  error, not a database, damaged), None for anything else.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from urllib.parse import quote

#: sqlite3 primary result codes of a fault of the disk or the file
_FAULTS = {
    3: "no permission to write {path}",  # SQLITE_PERM
    8: "{path} is read-only",  # SQLITE_READONLY
    10: "disk I/O error on {path}",  # SQLITE_IOERR
    11: "{path} is damaged (database disk image is malformed)",  # SQLITE_CORRUPT
    13: "the disk holding {path} is full",  # SQLITE_FULL
    14: "cannot open {path}",  # SQLITE_CANTOPEN
    26: "{path} is not an SQLite database",  # SQLITE_NOTADB
}
_OS_FAULTS = {
    errno.ENOSPC: "the disk holding {path} is full",
    errno.EDQUOT: "the disk quota for {path} is used up",
    errno.EROFS: "{path} is on a read-only file system",
    errno.EACCES: "no permission to write {path}",
    errno.EPERM: "no permission to write {path}",
    errno.EFBIG: "{path} has grown past the largest file allowed",
    errno.EIO: "disk I/O error on {path}",
}


class DatabaseUnusable(Exception):
    """A file govwatch will not use as its database; ``str()`` is one line naming it."""


def lock_folder(database: Path) -> Path:
    """The folder of a database's lock files (``.govwatch.db.locks/`` beside ``govwatch.db``): the
    crawl's per-site locks and the outputs' locks, out of the way and ignored by git."""
    return database.parent / f".{database.name}.locks"


def check_file(path: Path) -> None:
    """``DatabaseUnusable`` for a directory (whether a file is SQLite, ``check_govwatch`` finds out)."""
    if path.is_dir():
        raise DatabaseUnusable(f"{path} is a directory, not an SQLite database")


def check_govwatch(db: object, path: Path, migration_set: str) -> None:
    """``DatabaseUnusable`` when ``db`` holds tables but no record of govwatch's migrations."""
    try:
        tables = db.table_names()  # type: ignore[attr-defined]
        if not tables:
            return
        if "_sqlite_migrations" in tables:
            found = db.execute(  # type: ignore[attr-defined]
                "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", [migration_set]
            ).fetchone()
            if found:
                return
    except sqlite3.DatabaseError as exc:
        message = storage_fault(exc, path)
        raise DatabaseUnusable(message or f"cannot read {path}: {exc}") from None
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise DatabaseUnusable(f"{path} is an SQLite database but not a govwatch one (it holds {shown})")


def connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A read-only connection to an existing file (``mode=ro``, else ``immutable=1``)."""
    base = f"file:{quote(str(path.resolve()))}"
    last: sqlite3.Error | None = None
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{base}?{flags}", uri=True, timeout=timeout, isolation_level=None)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:  # e.g. a WAL file whose -shm cannot be made
            last = exc
        except sqlite3.DatabaseError as exc:
            raise DatabaseUnusable(storage_fault(exc, path) or f"cannot read {path}: {exc}") from None
    raise DatabaseUnusable(f"cannot open {path} read-only: {last}")


def storage_fault(exc: BaseException, path: Path | str) -> str | None:
    """One line for a fault of the disk or of the database file, None for any other exception."""
    if isinstance(exc, DatabaseUnusable):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in _FAULTS:
            return _FAULTS[code & 0xFF].format(path=path)
        text = str(exc).lower()
        for needle, code in (
            ("disk is full", 13),
            ("readonly", 8),
            ("i/o error", 10),
            ("not a database", 26),
        ):
            if needle in text:
                return _FAULTS[code].format(path=path)
        return None
    if isinstance(exc, OSError) and exc.errno in _OS_FAULTS:
        where = exc.filename or path
        return _OS_FAULTS[exc.errno].format(path=where)
    return None
