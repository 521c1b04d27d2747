"""Where the database and the configuration are: one rule for every command.

1. ``--db PATH`` wins;
2. else the ``database:`` of ``--config PATH``;
3. else the ``database:`` of ``./config.yaml``, when there is one;
4. else ``./govwatch.db``.

A command that needs the configuration itself (crawl, daemon, report --deliver, add-site) reads
``--config`` or ``./config.yaml``. When the database (or configuration) is not there, the message
says what was tried, in this order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from crawler.config.build import load_config
from crawler.config.errors import ConfigError
from crawler.config.schema import Config

DEFAULT_CONFIG = Path("config.yaml")
DEFAULT_DATABASE = Path("govwatch.db")


class NotFound(ConfigError):
    """The database or the configuration is not where any rule looked; the message lists the places."""


@dataclass(frozen=True)
class Location:
    """The database a command uses, the configuration it came from (if any) and how it was found."""

    database: Path
    config: Config | None
    #: ``--db``, ``--config``, ``./config.yaml`` or ``default``: which rule chose the database
    chosen_by: str
    #: what was looked at, in order (for "not found" messages)
    tried: tuple[str, ...]

    def require_database(self) -> Path:
        """The database, or ``NotFound`` listing what was tried."""
        if self.database.is_file():
            return self.database
        if self.database.is_dir():
            raise NotFound(f"database {self.database} is a folder, not an SQLite file")
        raise NotFound(
            f"database not found: {_shown(self.database)} (tried {', '.join(self.tried)}); "
            "`govwatch crawl` makes it, `govwatch demo` makes a sample one"
        )


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def find_config(config_path: Path | str | None) -> Path | None:
    """``--config`` (which must exist), else ``./config.yaml`` when there is one, else None."""
    if config_path is not None:
        path = Path(config_path)
        if not path.exists():
            raise NotFound(f"configuration file {path} does not exist")
        if path.is_dir():
            raise NotFound(f"configuration file {path} is a folder")
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def require_config(config_path: Path | str | None, only: Collection[str] | None = None) -> Config:
    """The configuration a command cannot run without: ``--config`` or ``./config.yaml`` (``only``:
    with only these sites, see ``load_config``)."""
    path = find_config(config_path)
    if path is None:
        raise NotFound(
            f"no configuration: tried --config (not given) and ./{DEFAULT_CONFIG} (not there); "
            "`govwatch init` writes one"
        )
    return load_config(path, only)


def locate(db: Path | str | None, config_path: Path | str | None, *, load: bool = True) -> Location:
    """The database by the rule above. ``load=False``: with ``--db`` the configuration is not read
    even when there is one (read-only commands need nothing else from it)."""
    if db is not None:
        path = Path(db)
        config = None
        if load or config_path is not None:
            found = find_config(config_path)
            config = load_config(found) if found is not None else None
        return Location(path, config, "--db", (f"--db {_shown(path)}",))
    tried = ["--db (not given)"]
    found = find_config(config_path)
    if found is not None:
        config = load_config(found)
        if config_path is None:
            rule = f"./{DEFAULT_CONFIG}"
            tried += ["--config (not given)", f"{rule}, which names {_shown(config.database)}"]
        else:
            rule = "--config"
            tried.append(f"--config {_shown(found)}, which names {_shown(config.database)}")
        return Location(config.database, config, rule, tuple(tried))
    tried += ["--config (not given)", f"./{DEFAULT_CONFIG} (not there)", f"./{DEFAULT_DATABASE}"]
    return Location(DEFAULT_DATABASE, None, "default", tuple(tried))
