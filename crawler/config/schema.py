"""The configuration's shape: frozen pydantic models, every default filled in (docs/CONFIG.md lists
every key).

These are the static shapes the code reads. The sink types and the CMS profiles own their options
(``Sink.Options``, ``Profile.Options``); ``crawler.config.kinds`` extends these models with them
(a sink is one of the registered types, a site accepts its profile's options under the profile's
name) before a file is validated.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Mapping
from datetime import timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr, model_validator

from crawler import __version__
from crawler.config.errors import ConfigError
from crawler.options import (
    Amount,
    ByteSize,
    Count,
    Duration,
    FilePath,
    Flag,
    HttpUrl,
    Network,
    Options,
    Origin,
    Positive,
    SinkOptions,
    Text,
    problem,
)

COLUMN_KINDS = ("news", "notice", "policy", "other")
ColumnKind = Literal["news", "notice", "policy", "other"]
#: a column is stale when its newest item is older than this (None: never), by kind
STALE_AFTER_BY_KIND: Mapping[str, timedelta | None] = MappingProxyType(
    {"news": timedelta(days=14), "notice": timedelta(days=180), "policy": timedelta(days=180), "other": None}
)


def _empty_if_none(value: object) -> object:
    """``daemon:`` with nothing after it reads as null in YAML: the defaults, as if left out."""
    return {} if value is None else value


def _none_as_empty_list(value: object) -> object:
    return () if value is None else value


class DaemonConfig(Options):
    max_parallel: Positive = 4
    run_timeout: Duration = timedelta(minutes=30)
    misfire_grace: Duration = timedelta(minutes=10)
    jitter: Duration = timedelta(seconds=0)


class CrawlConfig(Options):
    """How a crawl process works through many sites: ``batch_size`` sites at once in one spider (each
    keeps its own run, lock, budget and deadline; each host its own politeness),
    ``concurrent_requests`` downloads in flight across their hosts, ``health_workers`` sites' checks
    after the crawl (staleness, link checks, scorecard) at once beside it; ``processes`` crawl
    processes at once when ``govwatch crawl`` has several sites (``None``: one per core that has a
    share of the work, see ``crawler.crawl.cores``); ``judge_worker``: release pages judged in a
    worker process beside each crawl process that has a core to spare (``auto``: once the process
    has judged ``AUTO_AFTER`` pages itself, so that a crawl of a few new pages never starts one; see
    docs/CONFIG.md)."""

    batch_size: Positive = 500
    concurrent_requests: Positive = 512
    health_workers: Positive = 8
    processes: Positive | None = None
    judge_worker: bool | Literal["auto"] = "auto"

    def batches(self, sites: int, processes: int | None = None) -> tuple[int, int]:
        """(processes at once, sites per batch) for ``sites`` sites: at most ``batch_size`` per
        batch, and the sites spread evenly so every process has work. ``processes`` (as the crawl
        decided it) or ``crawl.processes`` at most, else one per CPU core."""
        processes = max(1, min(processes or self.processes or os.cpu_count() or 1, sites))
        batches = max(math.ceil(sites / self.batch_size), processes)
        return processes, max(1, math.ceil(sites / batches))


def _keep(value: object) -> object:
    """``raw_html: keep`` (or null): nothing dropped."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "keep"):
        return "keep"
    return value


class RetentionConfig(Options):
    """``raw_html``: ``keep`` every version's raw HTML, or drop the raw HTML of versions superseded
    longer ago than this duration — never that of a release's current version, of a version with a
    critical integrity flag or one a ``tampered`` event names (a fetch's own kept page stays). The
    normalized text and fields of every version are always kept."""

    raw_html: Annotated[Literal["keep"] | Duration, BeforeValidator(_keep)] = "keep"

    @property
    def raw_html_after(self) -> timedelta | None:
        """The duration after which superseded raw HTML is dropped (None: kept)."""
        return None if self.raw_html == "keep" else self.raw_html  # type: ignore[return-value]


class LinkCheckConfig(Options):
    enabled: Flag = True
    per_run: Count = 50
    timeout: Duration = timedelta(seconds=10)
    recheck_after: Duration = timedelta(days=7)


def _allow_private(value: object) -> object:
    """``true`` / ``false`` as they are; a list of addresses and networks as a tuple."""
    return tuple(value) if isinstance(value, list) else value


class SiteLinkCheck(Options):
    """A site's own link-check options. ``allow_private``: the link checker may request loopback and
    private addresses — ``true`` any, or the listed addresses and networks (``[10.1.2.0/24]``); an
    intranet site, the demo, tests. ``false``: public addresses only (``crawler.net.urlpolicy``)."""

    allow_private: Annotated[Flag | tuple[Network, ...], BeforeValidator(_allow_private)] = False


class RevisitConfig(Options):
    """``always``: re-fetch every known release each run; else recent ones (listed within ``recent``)
    every ``recent_every`` and older ones every ``older_every``."""

    always: Flag = False
    recent: Duration = timedelta(days=30)
    recent_every: Duration = timedelta(days=1)
    older_every: Duration = timedelta(days=7)


def _or_word(word: str) -> Any:
    """A JSON Schema tweak: the value may also be the word ``word`` (``revisit: always``)."""

    def extra(schema: dict[str, Any]) -> None:
        alternatives = schema.pop("anyOf", None) or [
            {k: schema.pop(k) for k in ("$ref", "type") if k in schema}
        ]
        schema["anyOf"] = [{"const": word}, *alternatives]

    return extra


def _revisit(value: object) -> object:
    if value is None:
        return {}
    if isinstance(value, str):
        if value.strip().lower() == "always":
            return {"always": True}
        raise problem(f"{value!r}: write 'always' or a mapping {{recent, recent_every, older_every}}")
    return value


class Politeness(Options):
    download_delay: Amount = 1.0
    concurrency_per_host: Positive = 2
    autothrottle: Flag = True
    obey_robots: Flag = True


def _stale_after(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() == "never":
        return None
    return value


class ColumnConfig(Options):
    name: Text
    url: HttpUrl
    kind: ColumnKind = "other"
    #: already defaulted by kind; None = never stale
    stale_after: Annotated[Duration | None, BeforeValidator(_stale_after)] = Field(
        None, json_schema_extra=_or_word("never")
    )

    @model_validator(mode="before")
    @classmethod
    def _default_stale_after(cls, data: Any) -> Any:
        """No ``stale_after`` (or null): the default of the column's kind."""
        if isinstance(data, Mapping) and data.get("stale_after") is None:
            kind = data.get("kind", "other")
            default = STALE_AFTER_BY_KIND.get(kind) if isinstance(kind, str) else None
            return {**data, "stale_after": default}
        return data


_NAME_RE = re.compile(r"[^\s/\\]+")


def _site_name(value: str) -> str:
    if not _NAME_RE.fullmatch(value):
        raise problem(f"{value!r}: a site name is one word without spaces or slashes")
    return value


def _schedule(value: str) -> str:
    schedule = " ".join(value.split())
    error = _cron_error(schedule)
    if error is not None:
        aliases = tuple(CRON_ALIASES) if schedule.startswith("@") else ()
        raise problem(f"{schedule!r} is not a valid cron schedule: {error}", choices=aliases, given=schedule)
    return schedule


@functools.lru_cache(maxsize=1024)
def _cron_error(schedule: str) -> str | None:
    """Why APScheduler rejects ``schedule``, or None. Checked once per expression: ten thousand sites
    on one schedule would otherwise build ten thousand triggers while the configuration loads."""
    try:
        cron_trigger(schedule, "Asia/Shanghai")
    except ValueError as exc:
        return str(exc)
    return None


def _columns(columns: tuple[ColumnConfig, ...]) -> tuple[ColumnConfig, ...]:
    if not columns:
        raise problem("a site needs at least one column")
    urls: set[str] = set()
    names: set[str] = set()
    for i, column in enumerate(columns):
        if column.url in urls:
            raise problem(f"column URL {column.url} is listed twice", i)
        if column.name in names:
            raise problem(f"column name {column.name!r} is used twice", i)
        urls.add(column.url)
        names.add(column.name)
    return columns


class IntegrityConfig(Options):
    """What a site's owner has checked and accepts: ``allow_hosts`` are hosts (or URLs) that are never
    off-site for the integrity rules (a partner's e-paper, a vendor); ``ignore`` names rules not run
    for this site. The rule names are the integrity detectors' (``crawler.config.kinds`` narrows
    ``ignore`` to them)."""

    allow_hosts: Annotated[tuple[Text, ...], BeforeValidator(_none_as_empty_list)] = ()
    ignore: Annotated[tuple[Text, ...], BeforeValidator(_none_as_empty_list)] = ()


@functools.lru_cache(maxsize=4096)
def _hosts(base_url: str, aliases: tuple[str, ...]) -> frozenset[str]:
    """``SiteConfig.hosts``, asked for every page a crawl judges."""
    return frozenset(h for h in (_host(v) for v in (base_url, *aliases)) if h)


def _host(value: str) -> str | None:
    value = value.strip()
    if "//" not in value:
        value = "//" + value
    try:
        return (urlsplit(value).hostname or "").lower() or None
    except ValueError:
        return None


class AttachmentsConfig(Options):
    """How a site's attachments (附件) are fetched with its releases."""

    fetch: Flag = True
    max_size: ByteSize = "50MB"  # type: ignore[assignment]
    run_budget: ByteSize = "1GB"  # type: ignore[assignment]


class SiteConfig(Options):
    name: Annotated[Text, AfterValidator(_site_name)]
    base_url: HttpUrl
    #: other hosts of the site: a host, ``host:port`` or a URL (the crawl keeps to these and base_url)
    aliases: Annotated[tuple[Origin, ...], BeforeValidator(_none_as_empty_list)] = ()
    profile: Text
    columns: Annotated[tuple[ColumnConfig, ...], AfterValidator(_columns)]
    schedule: Annotated[Text, AfterValidator(_schedule)] = "0 */6 * * *"
    revisit: Annotated[RevisitConfig, BeforeValidator(_revisit)] = Field(
        default_factory=RevisitConfig, json_schema_extra=_or_word("always")
    )
    early_stop: Flag = True
    max_list_pages: Positive = 50
    max_requests: Positive = 5000
    max_duration: Duration = timedelta(minutes=30)
    politeness: Annotated[Politeness, BeforeValidator(_empty_if_none)] = Field(default_factory=Politeness)
    fail_after: Positive = 3
    link_check: Annotated[SiteLinkCheck, BeforeValidator(_empty_if_none)] = Field(
        default_factory=SiteLinkCheck
    )
    integrity: Annotated[IntegrityConfig, BeforeValidator(_empty_if_none)] = Field(
        default_factory=IntegrityConfig
    )
    #: hosts (``host``, ``host:port`` or a URL) the site's attachments may be fetched from besides its own
    file_hosts: Annotated[tuple[Origin, ...], BeforeValidator(_none_as_empty_list)] = ()
    attachments: Annotated[AttachmentsConfig, BeforeValidator(_empty_if_none)] = Field(
        default_factory=AttachmentsConfig
    )

    #: profile name → whether it needs its options; the keys a site may carry for its profile
    #: (set on the validating subclass by ``crawler.config.kinds``)
    profile_keys: ClassVar[dict[str, bool]] = {}

    @model_validator(mode="after")
    def _profile_options(self) -> SiteConfig:
        """A profile's options sit under its name (``generic: {...}``), for that profile only."""
        for key, required in type(self).profile_keys.items():
            given = getattr(self, key, None)
            if key == self.profile and required and given is None:
                raise problem(f"required with profile: {key}", key)
            if key != self.profile and given is not None:
                raise problem(f"only used with profile: {key} (this site is {self.profile})", key)
        return self

    @property
    def profile_options(self) -> Options | None:
        """The options of the site's profile (``generic: {...}`` for ``profile: generic``), if any."""
        if self.profile not in type(self).profile_keys:
            return None
        options = getattr(self, self.profile, None)
        return options if isinstance(options, Options) else None

    @property
    def hosts(self) -> frozenset[str]:
        """Lower-cased host names of ``base_url`` and the aliases (written as hosts or URLs)."""
        return _hosts(self.base_url, tuple(self.aliases))

    def cron_trigger(self, timezone: str | tzinfo = "Asia/Shanghai") -> Any:
        """The APScheduler 3.x ``CronTrigger`` for ``schedule`` (5 fields, or 6 with seconds first)."""
        return cron_trigger(self.schedule, timezone)


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise problem(f"{value!r} is not a known time zone (e.g. Asia/Shanghai)") from None
    return value


class Config(Options):
    database: FilePath = Path("govwatch.db")
    timezone: Annotated[Text, AfterValidator(_zone)] = "Asia/Shanghai"
    user_agent_contact: Text | None = None
    include: Annotated[tuple[Text, ...], BeforeValidator(_none_as_empty_list)] = ()
    notify_baseline: Flag = False
    sinks: tuple[SinkOptions, ...] = Field(default_factory=lambda: (SinkOptions(type="console"),))
    daemon: Annotated[DaemonConfig, BeforeValidator(_empty_if_none)] = Field(default_factory=DaemonConfig)
    crawl: Annotated[CrawlConfig, BeforeValidator(_empty_if_none)] = Field(default_factory=CrawlConfig)
    retention: Annotated[RetentionConfig, BeforeValidator(_empty_if_none)] = Field(
        default_factory=RetentionConfig
    )
    link_check: Annotated[LinkCheckConfig, BeforeValidator(_empty_if_none)] = Field(
        default_factory=LinkCheckConfig
    )
    sites: Annotated[tuple[SiteConfig, ...], BeforeValidator(_none_as_empty_list)] = ()

    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        """The file this configuration was read from (None when it was built from a mapping)."""
        return self._path

    def site(self, name: str) -> SiteConfig:
        for site in self.sites:
            if site.name == name:
                return site
        from crawler.config.errors import Issue

        names = tuple(s.name for s in self.sites)
        message = f"no site named {name!r}; known sites: {', '.join(names) or '(none)'}"
        raise ConfigError(issues=[Issue(message, str(self.path or "<config>"), choices=names, given=name)])

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

    def name(match: re.Match[str]) -> str:
        n = int(match.group(0))
        if n > 7:
            raise ValueError(f"day of week {n} is out of range 0-7")
        return _CRON_DAYS[n]

    # step values (*/2, 1-5/2) keep their number
    return re.sub(r"(?<![/\d])\d+", name, field)


#: the schedules crontab names (``@reboot`` aside: the daemon has no boot to run at)
CRON_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    }
)


def cron_trigger(expression: str, timezone: str | tzinfo = "Asia/Shanghai") -> Any:
    """Build a ``CronTrigger`` from 5 cron fields, 6 with seconds first, or an alias (``@daily``);
    ``ValueError`` when APScheduler rejects it or the field count is wrong."""
    from apscheduler.triggers.cron import CronTrigger

    tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    alias = expression.strip().lower()
    if alias.startswith("@"):
        if alias not in CRON_ALIASES:
            names = ", ".join(CRON_ALIASES)
            raise ValueError(f"{expression.strip()} is not a schedule name (known: {names})")
        expression = CRON_ALIASES[alias]
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


__all__ = [
    "COLUMN_KINDS",
    "STALE_AFTER_BY_KIND",
    "ColumnConfig",
    "Config",
    "CrawlConfig",
    "DaemonConfig",
    "IntegrityConfig",
    "LinkCheckConfig",
    "Politeness",
    "RetentionConfig",
    "RevisitConfig",
    "SiteConfig",
    "SiteLinkCheck",
    "SinkOptions",
    "cron_trigger",
    "user_agent",
]
