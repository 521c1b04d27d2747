"""The validated configuration: frozen dataclasses, every default filled in (config.yaml lists them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from crawler import __version__
from crawler.config.errors import ConfigError

COLUMN_KINDS = ("news", "notice", "policy", "other")
#: a column is stale when its newest item is older than this (None: never), by kind
STALE_AFTER_BY_KIND: Mapping[str, timedelta | None] = MappingProxyType(
    {"news": timedelta(days=14), "notice": timedelta(days=180), "policy": timedelta(days=180), "other": None}
)


@dataclass(frozen=True)
class SinkConfig:
    """``type`` is console | jsonl | markdown | atom | webhook; ``options`` holds its keys, defaults filled
    (paths as absolute ``Path``, durations as ``timedelta``)."""

    type: str
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __hash__(self) -> int:  # options is a read-only mapping: hash its items
        return hash((self.type, tuple(sorted((k, repr(v)) for k, v in self.options.items()))))


@dataclass(frozen=True)
class DaemonConfig:
    max_parallel: int = 4
    run_timeout: timedelta = timedelta(minutes=30)
    misfire_grace: timedelta = timedelta(minutes=10)
    jitter: timedelta = timedelta(0)


@dataclass(frozen=True)
class LinkCheckConfig:
    enabled: bool = True
    per_run: int = 50
    timeout: timedelta = timedelta(seconds=10)
    recheck_after: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class RevisitConfig:
    """``always``: re-fetch every known release each run; else recent ones (listed within ``recent``)
    every ``recent_every`` and older ones every ``older_every``."""

    always: bool = False
    recent: timedelta = timedelta(days=30)
    recent_every: timedelta = timedelta(days=1)
    older_every: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class Politeness:
    download_delay: float = 1.0
    concurrency_per_host: int = 2
    autothrottle: bool = True
    obey_robots: bool = True


@dataclass(frozen=True)
class ColumnConfig:
    name: str
    url: str
    kind: str = "other"
    stale_after: timedelta | None = None  # already defaulted by kind; None = never stale


@dataclass(frozen=True)
class GenericConfig:
    """``item_links``: CSS, or XPath when it starts with ``/`` or ``(``; ``next_page``: the same, or a
    URL pattern containing ``{n}`` (``index_{n}.html``) resolved against the column URL."""

    item_links: str
    next_page: str | None = None


def _host(value: str) -> str | None:
    value = value.strip()
    if "//" not in value:
        value = "//" + value
    return (urlsplit(value).hostname or "").lower() or None


@dataclass(frozen=True, kw_only=True)
class SiteConfig:
    name: str
    base_url: str
    aliases: tuple[str, ...] = ()
    profile: str
    generic: GenericConfig | None = None
    columns: tuple[ColumnConfig, ...]
    schedule: str = "0 */6 * * *"
    revisit: RevisitConfig = RevisitConfig()
    early_stop: bool = True
    max_list_pages: int = 50
    max_requests: int = 5000
    max_duration: timedelta = timedelta(minutes=30)
    politeness: Politeness = Politeness()
    fail_after: int = 3

    @property
    def hosts(self) -> frozenset[str]:
        """Lower-cased host names of ``base_url`` and the aliases (written as hosts or URLs)."""
        return frozenset(h for h in (_host(v) for v in (self.base_url, *self.aliases)) if h)

    def cron_trigger(self, timezone: str | tzinfo = "Asia/Shanghai"):
        """The APScheduler 3.x ``CronTrigger`` for ``schedule`` (5 fields, or 6 with seconds first)."""
        return cron_trigger(self.schedule, timezone)


@dataclass(frozen=True)
class Config:
    path: Path | None
    database: Path
    timezone: str = "Asia/Shanghai"
    user_agent_contact: str | None = None
    include: tuple[str, ...] = ()
    notify_baseline: bool = False
    sinks: tuple[SinkConfig, ...] = (SinkConfig("console"),)
    daemon: DaemonConfig = DaemonConfig()
    link_check: LinkCheckConfig = LinkCheckConfig()
    sites: tuple[SiteConfig, ...] = ()

    def site(self, name: str) -> SiteConfig:
        for site in self.sites:
            if site.name == name:
                return site
        known = ", ".join(s.name for s in self.sites) or "(none)"
        raise ConfigError(f"no site named {name!r}; known sites: {known}", str(self.path or "<config>"))

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def user_agent(self) -> str:
        """The User-Agent of every request govwatch makes (crawl and link checks)."""
        return user_agent(self.user_agent_contact)


def user_agent(contact: str | None) -> str:
    suffix = f"; +{contact}" if contact else ""
    return f"Mozilla/5.0 (compatible; govwatch/{__version__}{suffix})"


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_weekdays(field: str) -> str:
    """Crontab counts weekdays from Sunday (0 or 7); APScheduler 3 from Monday. Numbers become names
    (``1-5`` → ``mon-fri``) so a schedule fires on the day a cron user means."""
    import re

    def name(match: re.Match[str]) -> str:
        n = int(match.group(0))
        if n > 7:
            raise ValueError(f"day of week {n} is out of range 0-7")
        return _CRON_DAYS[n]

    # step values (*/2, 1-5/2) keep their number
    return re.sub(r"(?<![/\d])\d+", name, field)


def cron_trigger(expression: str, timezone: str | tzinfo = "Asia/Shanghai"):
    """Build a ``CronTrigger``; ``ValueError`` when APScheduler rejects it or the field count is wrong."""
    from apscheduler.triggers.cron import CronTrigger

    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) == 6:
        second, minute, hour, day, month, day_of_week = fields
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=crontab_weekdays(day_of_week),
            timezone=tz,
        )
    raise ValueError(f"a schedule has 5 cron fields (or 6 with seconds first), not {len(fields)}")
