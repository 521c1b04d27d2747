"""Raw YAML (dicts/lists with line info) → validated ``Config``. Every error names file, line and key."""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.config.durations import parse_duration
from crawler.config.errors import At, ConfigError
from crawler.config.schema import (
    COLUMN_KINDS,
    STALE_AFTER_BY_KIND,
    ColumnConfig,
    Config,
    DaemonConfig,
    GenericConfig,
    LinkCheckConfig,
    Politeness,
    RevisitConfig,
    SinkConfig,
    SiteConfig,
    cron_trigger,
)
from crawler.config.yamlines import load_yaml

_MISSING = object()
_TOP_KEYS = (
    "database",
    "timezone",
    "user_agent_contact",
    "include",
    "notify_baseline",
    "sinks",
    "daemon",
    "link_check",
    "sites",
)
_SITE_KEYS = (
    "name",
    "base_url",
    "aliases",
    "profile",
    "generic",
    "columns",
    "schedule",
    "revisit",
    "early_stop",
    "max_list_pages",
    "max_requests",
    "max_duration",
    "politeness",
    "fail_after",
)
_SITE_REQUIRED = ("name", "base_url", "profile", "columns")
#: sink type → {key: default}; _MISSING marks a required key. "path"/"dir" are resolved, durations parsed.
_SINKS: dict[str, dict[str, object]] = {
    "console": {},
    "jsonl": {"path": _MISSING},
    "markdown": {"dir": _MISSING},
    "atom": {"path": _MISSING, "max_entries": 200},
    "webhook": {"url": _MISSING, "secret_env": None, "timeout": "10s", "retries": 5},
}


# --- scalar readers -------------------------------------------------------------------------------


def _fields(at: At, value: object, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> Mapping:
    if not isinstance(value, Mapping):
        raise at.error(f"expected a mapping, got {_show(value)}")
    for key in value:
        if key not in allowed:
            raise at.key_itself(value, str(key)).error(f"unknown key (allowed: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            path = f"{at.path}.{key}" if at.path else key
            raise At(at.source, path, getattr(value, "line", None) or at.line).error(
                "required key is missing"
            )
    return value


def _show(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _str(at: At, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise at.error(f"expected a non-empty string, got {_show(value)}")
    return value.strip()


def _opt_str(at: At, value: object) -> str | None:
    return None if value is None else _str(at, value)


def _bool(at: At, value: object) -> bool:
    if not isinstance(value, bool):
        raise at.error(f"expected true or false, got {_show(value)}")
    return value


def _int(at: At, value: object, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise at.error(f"expected a whole number, got {_show(value)}")
    if value < minimum:
        raise at.error(f"must be at least {minimum}, got {value}")
    return value


def _float(at: At, value: object, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise at.error(f"expected a number, got {_show(value)}")
    if value < minimum:
        raise at.error(f"must be at least {minimum}, got {value}")
    return float(value)


def _duration(at: At, value: object) -> timedelta:
    try:
        return parse_duration(value)
    except ConfigError as exc:
        raise at.error(exc.message) from None


def _url(at: At, value: object) -> str:
    text = _str(at, value)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise at.error(f"{text!r} is not an http(s) URL")
    return text


def _list(at: At, value: object) -> list:
    if not isinstance(value, list):
        raise at.error(f"expected a list, got {_show(value)}")
    return value


def _get(at: At, mapping: Mapping, key: str, default: object, read: Callable[[At, object], Any]) -> Any:
    value = mapping.get(key, default)
    return read(at.key(mapping, key), value)


# --- sections -------------------------------------------------------------------------------------


def _sink(at: At, raw: object, base_dir: Path) -> SinkConfig:
    if not isinstance(raw, Mapping):
        raise at.error(f"expected a mapping such as {{type: console}}, got {_show(raw)}")
    if "type" not in raw:
        raise at.error("missing required key 'type' (console, jsonl, markdown, atom or webhook)")
    kind = _str(at.key(raw, "type"), raw["type"])
    if kind not in _SINKS:
        raise at.key(raw, "type").error(f"{kind!r} is not one of {', '.join(_SINKS)}")
    spec = _SINKS[kind]
    required = tuple(k for k, v in spec.items() if v is _MISSING)
    _fields(at, raw, ("type", *spec), required)
    options: dict[str, object] = {}
    for key, default in spec.items():
        here = at.key(raw, key)
        value = raw.get(key, default)
        if key in ("path", "dir"):
            options[key] = (base_dir / _str(here, value)).resolve()
        elif key == "url":
            options[key] = _url(here, value)
        elif key == "secret_env":
            options[key] = _opt_str(here, value)
        elif key == "timeout":
            options[key] = _duration(here, value)
        elif key == "retries":
            options[key] = _int(here, value, 0)
        elif key == "max_entries":
            options[key] = _int(here, value, 1)
    return SinkConfig(kind, MappingProxyType(options))


def _daemon(at: At, raw: object) -> DaemonConfig:
    raw = _fields(at, {} if raw is None else raw, ("max_parallel", "run_timeout", "misfire_grace", "jitter"))
    return DaemonConfig(
        max_parallel=_get(at, raw, "max_parallel", 4, lambda a, v: _int(a, v, 1)),
        run_timeout=_get(at, raw, "run_timeout", "30m", _duration),
        misfire_grace=_get(at, raw, "misfire_grace", "10m", _duration),
        jitter=_get(at, raw, "jitter", "0s", _duration),
    )


def _link_check(at: At, raw: object) -> LinkCheckConfig:
    raw = _fields(at, {} if raw is None else raw, ("enabled", "per_run", "timeout", "recheck_after"))
    return LinkCheckConfig(
        enabled=_get(at, raw, "enabled", True, _bool),
        per_run=_get(at, raw, "per_run", 50, lambda a, v: _int(a, v, 0)),
        timeout=_get(at, raw, "timeout", "10s", _duration),
        recheck_after=_get(at, raw, "recheck_after", "7d", _duration),
    )


def _revisit(at: At, raw: object) -> RevisitConfig:
    if isinstance(raw, str):
        if raw.strip().lower() == "always":
            return RevisitConfig(always=True)
        raise at.error(f"{raw!r}: write 'always' or a mapping {{recent, recent_every, older_every}}")
    raw = _fields(at, {} if raw is None else raw, ("recent", "recent_every", "older_every"))
    return RevisitConfig(
        always=False,
        recent=_get(at, raw, "recent", "30d", _duration),
        recent_every=_get(at, raw, "recent_every", "1d", _duration),
        older_every=_get(at, raw, "older_every", "7d", _duration),
    )


def _politeness(at: At, raw: object) -> Politeness:
    keys = ("download_delay", "concurrency_per_host", "autothrottle", "obey_robots")
    raw = _fields(at, {} if raw is None else raw, keys)
    return Politeness(
        download_delay=_get(at, raw, "download_delay", 1.0, _float),
        concurrency_per_host=_get(at, raw, "concurrency_per_host", 2, lambda a, v: _int(a, v, 1)),
        autothrottle=_get(at, raw, "autothrottle", True, _bool),
        obey_robots=_get(at, raw, "obey_robots", True, _bool),
    )


def _selector(at: At, value: object) -> str:
    """A CSS selector, or XPath when it starts with ``/`` or ``(``; checked by compiling it."""
    text = _str(at, value)
    try:
        if text.startswith(("/", "(")):
            from lxml import etree

            etree.XPath(text)
        else:
            from parsel.csstranslator import HTMLTranslator

            HTMLTranslator().css_to_xpath(text)
    except Exception as exc:  # cssselect and lxml raise several types
        raise at.error(f"{text!r} is not a valid CSS selector or XPath: {exc}") from None
    return text


def _generic(at: At, raw: object) -> GenericConfig:
    raw = _fields(at, raw, ("item_links", "next_page"), ("item_links",))
    next_page = raw.get("next_page")
    if next_page is not None:
        here = at.key(raw, "next_page")
        next_page = _str(here, next_page) if "{n}" in str(next_page) else _selector(here, next_page)
    return GenericConfig(
        item_links=_selector(at.key(raw, "item_links"), raw["item_links"]), next_page=next_page
    )


def _column(at: At, raw: object) -> ColumnConfig:
    raw = _fields(at, raw, ("name", "url", "kind", "stale_after"), ("name", "url"))
    kind = _str(at.key(raw, "kind"), raw.get("kind", "other"))
    if kind not in COLUMN_KINDS:
        raise at.key(raw, "kind").error(f"{kind!r} is not one of {', '.join(COLUMN_KINDS)}")
    stale = raw.get("stale_after")
    if stale is None:
        stale_after = STALE_AFTER_BY_KIND[kind]
    elif isinstance(stale, str) and stale.strip().lower() == "never":
        stale_after = None
    else:
        stale_after = _duration(at.key(raw, "stale_after"), stale)
    return ColumnConfig(
        name=_str(at.key(raw, "name"), raw["name"]),
        url=_url(at.key(raw, "url"), raw["url"]),
        kind=kind,
        stale_after=stale_after,
    )


def _profiles() -> tuple[str, ...]:
    from crawler.profiles import PROFILES

    return tuple(PROFILES)


_NAME_RE = re.compile(r"[^\s/\\]+")


def _site(at: At, raw: object, timezone: str) -> SiteConfig:
    raw = _fields(at, raw, _SITE_KEYS, _SITE_REQUIRED)
    name = _str(at.key(raw, "name"), raw["name"])
    if not _NAME_RE.fullmatch(name):
        raise at.key(raw, "name").error(f"{name!r}: a site name is one word without spaces or slashes")
    profile = _str(at.key(raw, "profile"), raw["profile"])
    known = _profiles()
    if profile not in known:
        raise at.key(raw, "profile").error(f"{profile!r} is not one of {', '.join(known)}")
    generic = raw.get("generic")
    if profile == "generic":
        if generic is None:
            raise at.key(raw, "generic").error("required with profile: generic ({item_links, next_page})")
        generic = _generic(at.key(raw, "generic"), generic)
    elif generic is not None:
        raise at.key(raw, "generic").error(f"only used with profile: generic (this site is {profile})")

    aliases_at = at.key(raw, "aliases")
    raw_aliases = _list(aliases_at, raw.get("aliases", []))
    aliases = tuple(_str(aliases_at.item(raw_aliases, i), a) for i, a in enumerate(raw_aliases))

    columns_at = at.key(raw, "columns")
    raw_columns = _list(columns_at, raw["columns"])
    if not raw_columns:
        raise columns_at.error("a site needs at least one column")
    columns, seen_urls, seen_names = [], set(), set()
    for i, item in enumerate(raw_columns):
        column = _column(columns_at.item(raw_columns, i), item)
        if column.url in seen_urls:
            raise columns_at.item(raw_columns, i).error(f"column URL {column.url} is listed twice")
        if column.name in seen_names:
            raise columns_at.item(raw_columns, i).error(f"column name {column.name!r} is used twice")
        seen_urls.add(column.url)
        seen_names.add(column.name)
        columns.append(column)

    schedule_at = at.key(raw, "schedule")
    schedule = " ".join(_str(schedule_at, raw.get("schedule", "0 */6 * * *")).split())
    try:
        cron_trigger(schedule, timezone)
    except ValueError as exc:
        raise schedule_at.error(f"{schedule!r} is not a valid cron schedule: {exc}") from None

    return SiteConfig(
        name=name,
        base_url=_url(at.key(raw, "base_url"), raw["base_url"]),
        aliases=aliases,
        profile=profile,
        generic=generic,
        columns=tuple(columns),
        schedule=schedule,
        revisit=_revisit(at.key(raw, "revisit"), raw.get("revisit")),
        early_stop=_get(at, raw, "early_stop", True, _bool),
        max_list_pages=_get(at, raw, "max_list_pages", 50, lambda a, v: _int(a, v, 1)),
        max_requests=_get(at, raw, "max_requests", 5000, lambda a, v: _int(a, v, 1)),
        max_duration=_get(at, raw, "max_duration", "30m", _duration),
        politeness=_politeness(at.key(raw, "politeness"), raw.get("politeness")),
        fail_after=_get(at, raw, "fail_after", 3, lambda a, v: _int(a, v, 1)),
    )


# --- the whole file -------------------------------------------------------------------------------


def _timezone(at: At, value: object) -> str:
    name = _str(at, value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise at.error(f"{name!r} is not a known time zone (e.g. Asia/Shanghai)") from None
    return name


def _display(path: Path) -> str:
    """A path as the user would recognise it: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read(path: Path, source: str) -> object:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("file not found", source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", source) from None
    return load_yaml(text, source)


def _included_sites(at: At, patterns: list, base_dir: Path) -> list[tuple[At, object]]:
    found: list[tuple[At, object]] = []
    for i, pattern in enumerate(patterns):
        here = at.item(patterns, i)
        pattern = _str(here, pattern)
        full = str(base_dir / pattern)
        matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(pattern) else [full]
        for match in matches:
            path = Path(match)
            if not glob.has_magic(pattern) and not path.is_file():
                raise here.error(f"included file {_display(path)} does not exist")
            source = _display(path)
            raw = _read(path, source)
            if raw is None:
                raise ConfigError(
                    "an included file holds one site (a mapping), but this one is empty", source
                )
            found.append((At(source, "", getattr(raw, "line", None)), raw))
    return found


def config_from_dict(
    data: Mapping | None,
    source: str = "<embedded>",
    base_dir: Path | str | None = None,
    path: Path | None = None,
) -> Config:
    """Validate a parsed config mapping (from YAML with line info, or a plain dict)."""
    base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
    root = At(source, "", getattr(data, "line", None) or None)
    data = _fields(root, {} if data is None else data, _TOP_KEYS)
    timezone = _get(root, data, "timezone", "Asia/Shanghai", _timezone)
    database = (base_dir / _get(root, data, "database", "govwatch.db", _str)).resolve()

    include_at = root.key(data, "include")
    include = _list(include_at, data.get("include") or [])
    sinks_at = root.key(data, "sinks")
    raw_sinks = _list(sinks_at, data.get("sinks", [{"type": "console"}]))
    sinks = tuple(_sink(sinks_at.item(raw_sinks, i), s, base_dir) for i, s in enumerate(raw_sinks))

    sites_at = root.key(data, "sites")
    raw_sites = _list(sites_at, data.get("sites") or [])
    located = [(sites_at.item(raw_sites, i), s) for i, s in enumerate(raw_sites)]
    located += _included_sites(include_at, include, base_dir)
    sites: list[SiteConfig] = []
    for at, raw in located:
        site = _site(at, raw, timezone)
        if any(s.name == site.name for s in sites):
            raise at.key(raw, "name").error(f"site name {site.name!r} is used twice")
        sites.append(site)

    return Config(
        path=path,
        database=database,
        timezone=timezone,
        user_agent_contact=_get(root, data, "user_agent_contact", None, _opt_str),
        include=tuple(include),
        notify_baseline=_get(root, data, "notify_baseline", False, _bool),
        sinks=sinks,
        daemon=_daemon(root.key(data, "daemon"), data.get("daemon")),
        link_check=_link_check(root.key(data, "link_check"), data.get("link_check")),
        sites=tuple(sites),
    )


def load_config(path: Path | str) -> Config:
    """Read ``config.yaml`` and the site files it includes; ``ConfigError`` names file, line and key."""
    path = Path(path)
    source = _display(path)
    data = _read(path, source)
    if data is not None and not isinstance(data, Mapping):
        raise ConfigError(f"the top level must be a mapping of keys, got {_show(data)}", source, 1)
    return config_from_dict(data, source=source, base_dir=path.resolve().parent, path=path.resolve())
