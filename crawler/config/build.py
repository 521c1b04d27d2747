"""config.yaml (+ the site files it includes) → a validated ``Config``, or every problem at once.

The file is read with line numbers (``yamlines``), validated against the models of
``crawler.config.kinds`` (pydantic), and each problem becomes an :class:`Issue` naming file, line and
key. The included site files are validated the same way, each naming itself; then the checks that
span files (site names, sink names). One ``ConfigError`` carries them all.
"""

from __future__ import annotations

import dataclasses
import glob
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from crawler.config import kinds
from crawler.config.errors import At, ConfigError, Issue
from crawler.config.issues import issues_from
from crawler.config.schema import Config, SiteConfig
from crawler.config.yamlines import load_yaml
from crawler.options import show


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


def _validate(
    model: type[BaseModel], data: object, source: str, base_dir: Path, issues: list[Issue]
) -> Any | None:
    try:
        return model.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        issues.extend(issues_from(exc, data, model, source, line=getattr(data, "line", None)))
        return None


def _included_sites(data: Mapping, base_dir: Path, issues: list[Issue]) -> list[tuple[At, object]]:
    """``(where, raw site)`` for every site file the ``include:`` patterns name (read, not validated)."""
    patterns = data.get("include")
    if not isinstance(patterns, list):
        return []  # not a list: the validation says so
    at = At("").key(data, "include")
    found: list[tuple[At, object]] = []
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not pattern.strip():
            continue  # the validation says so
        pattern = pattern.strip()
        full = str(base_dir / pattern)
        matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(pattern) else [full]
        for match in matches:
            path = Path(match)
            if not glob.has_magic(pattern) and not path.is_file():
                here = at.item(patterns, i)
                issues.append(
                    Issue(f"included file {_display(path)} does not exist", None, here.line, here.path)
                )
                continue
            source = _display(path)
            try:
                raw = _read(path, source)
            except ConfigError as exc:
                issues.extend(exc.issues)
                continue
            if raw is None:
                issues.append(
                    Issue("an included file holds one site (a mapping), but this one is empty", source)
                )
                continue
            found.append((At(source, "", getattr(raw, "line", None)), raw))
    return found


def _unique_site_names(located: list[tuple[At, object, SiteConfig]], issues: list[Issue]) -> None:
    seen: set[str] = set()
    for at, raw, site in located:
        if site.name in seen:
            issues.append(at.key(raw, "name").issue(f"site name {site.name!r} is used twice"))
        seen.add(site.name)


def _unique_sink_names(config: Config, data: Mapping, at: At, issues: list[Issue]) -> None:
    raw = data.get("sinks")
    seen: dict[str, int] = {}
    for i, sink in enumerate(config.sinks):
        name = sink.sink_name
        if name in seen:
            where = at.key(data, "sinks").item(raw, i) if isinstance(raw, list) else at
            issues.append(
                where.issue(f"sink name {name!r} is used by sinks[{seen[name]}] too (give one a `name:`)")
            )
        seen.setdefault(name, i)


def _sink_sites(config: Config, sites: list[str], data: Mapping, at: At, issues: list[Issue]) -> None:
    """A sink's ``sites:`` filter names sites of this configuration."""
    raw = data.get("sinks")
    for i, sink in enumerate(config.sinks):
        for j, name in enumerate(sink.sites or ()):
            if name in sites:
                continue
            where = at.key(data, "sinks").item(raw, i) if isinstance(raw, list) else at
            raw_sink = raw[i] if isinstance(raw, list) else None
            where = where.key(raw_sink, "sites")
            where = where.item(raw_sink.get("sites") if isinstance(raw_sink, Mapping) else None, j)
            known = ", ".join(sites) or "none"
            issues.append(
                where.issue(
                    f"{name!r} is not a site of this configuration (sites: {known})", tuple(sites), name
                )
            )


def config_from_dict(
    data: Mapping | None,
    source: str = "<embedded>",
    base_dir: Path | str | None = None,
    path: Path | None = None,
    only: Collection[str] | None = None,
) -> Config:
    """Validate a parsed config mapping (from YAML with line info, or a plain dict); ``ConfigError``
    with every problem found. ``only``: validate and keep only the sites of these names (a batch
    process of a configuration its supervisor validated whole: its cost stays that of its sites)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        raise ConfigError(f"the top level must be a mapping of keys, got {show(data)}", source, 1)
    config_model, site_model = kinds.models()
    issues: list[Issue] = []
    top: dict[str, Any] = dict(data)
    top.pop("sites", None)
    raw_sites = data.get("sites")
    config = _validate(config_model, _with_lines(top, data), source, base, issues)
    if raw_sites is not None and not isinstance(raw_sites, list):
        at = At(source).key(data, "sites")
        issues.append(at.issue(f"expected a list, got {show(raw_sites)}"))
        raw_sites = []
    root = At(source, "", getattr(data, "line", None))
    located = [(root.key(data, "sites").item(raw_sites, i), s) for i, s in enumerate(raw_sites or [])]
    include_issues: list[Issue] = []
    located += _included_sites(data, base, include_issues)
    issues += [dataclasses.replace(i, source=i.source or source) for i in include_issues]
    sites: list[tuple[At, object, SiteConfig]] = []
    if only is not None:
        located = [
            (at, raw) for at, raw in located if not isinstance(raw, Mapping) or raw.get("name") in only
        ]
    for at, raw in located:
        site_issues: list[Issue] = []
        site = _validate(site_model, raw, at.source, base, site_issues)
        issues += [dataclasses.replace(i, key=_join(at.path, i.key)) for i in site_issues]
        if site is not None:
            sites.append((at, raw, site))
    _unique_site_names(sites, issues)
    if config is not None:
        _unique_sink_names(config, data, root, issues)
        if only is None:
            _sink_sites(config, [site.name for _, _, site in sites], data, root, issues)
    if issues:
        raise ConfigError(issues=_ordered(issues, source))
    assert config is not None
    config = config.model_copy(update={"sites": tuple(site for _, _, site in sites)})
    config._path = path
    return config


def _with_lines(copy: dict[str, Any], original: Mapping) -> Any:
    """``copy`` carrying the line information of ``original`` (a ``LineDict`` from YAML)."""
    if not hasattr(original, "value_lines"):
        return copy
    out: Any = type(original)(copy)  # type: ignore[call-arg]
    for attr in ("line", "key_lines", "value_lines"):
        setattr(out, attr, getattr(original, attr, None))
    return out


def _join(prefix: str, key: str) -> str:
    if not prefix:
        return key
    if not key:
        return prefix
    return f"{prefix}{key}" if key.startswith("[") else f"{prefix}.{key}"


def _ordered(issues: list[Issue], source: str) -> list[Issue]:
    """The main file's issues first (unknown keys first, then by line), then each included file's."""
    files: list[str] = []
    for issue in issues:
        if (issue.source or source) not in files:
            files.append(issue.source or source)
    files.sort(key=lambda f: f != source)

    def key(issue: Issue) -> tuple[int, int, int]:
        unknown = 0 if issue.message.startswith("unknown key") else 1
        return files.index(issue.source or source), unknown, issue.line or 0

    return sorted(issues, key=key)


def load_config(path: Path | str, only: Collection[str] | None = None) -> Config:
    """Read ``config.yaml`` and the site files it includes; ``ConfigError`` names file, line and key
    of every problem. ``only``: as in :func:`config_from_dict`."""
    path = Path(path)
    source = _display(path)
    data = _read(path, source)
    if data is not None and not isinstance(data, Mapping):
        raise ConfigError(f"the top level must be a mapping of keys, got {show(data)}", source, 1)
    return config_from_dict(
        data, source=source, base_dir=path.resolve().parent, path=path.resolve(), only=only
    )


def _plain(value: object) -> object:
    """YAML's line-numbered mappings and lists as plain ``dict`` and ``list`` (for dumping)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class BatchConfigs:
    """A configuration file read once, written out per batch of sites with only that batch's sites
    (included site files inlined): a batch process then parses its own sites, not all of them —
    at 10,000 sites in 20 batches, one YAML read instead of 21. Built by the batch supervisor from
    the file the whole of which it validated; read back with :func:`load_batch_config`."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        data = _read(self.path, _display(self.path))
        if not isinstance(data, Mapping):
            raise ConfigError("the top level must be a mapping of keys", _display(self.path), 1)
        self.top = {k: _plain(v) for k, v in data.items() if k not in ("sites", "include")}
        inline = data.get("sites")
        raws = list(inline) if isinstance(inline, list) else []
        raws += [raw for _, raw in _included_sites(data, self.path.resolve().parent, [])]
        self.sites = {
            raw["name"]: _plain(raw)
            for raw in raws
            if isinstance(raw, Mapping) and isinstance(raw.get("name"), str)
        }

    def text(self, names: Collection[str]) -> str | None:
        """The configuration with only the sites ``names`` (None when one of them is not in the
        file as read: the batch process then reads the file itself)."""
        if any(name not in self.sites for name in names):
            return None
        data = {**self.top, "sites": [self.sites[name] for name in names]}
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False)


def load_batch_config(path: Path | str, batch: Path) -> Config:
    """The configuration at ``path`` as a batch process of the supervisor reads it: from ``batch``
    (:meth:`BatchConfigs.text`), with the paths in it relative to ``path``'s folder as in the file."""
    path = Path(path)
    source = _display(path)
    data = _read(batch, source)
    if data is not None and not isinstance(data, Mapping):
        raise ConfigError("the top level must be a mapping of keys", source, 1)
    sites = data.get("sites") if isinstance(data, Mapping) else None
    names = (
        {str(s.get("name")) for s in sites if isinstance(s, Mapping)} if isinstance(sites, list) else set()
    )
    # ``only``: a sink's ``sites:`` may name sites of other batches (the supervisor checked them)
    return config_from_dict(
        data, source=source, base_dir=path.resolve().parent, path=path.resolve(), only=names
    )
