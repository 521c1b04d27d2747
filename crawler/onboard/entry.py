"""A detected column as a ``sites:`` entry of config.yaml, and that entry written into the file.

The file is edited as text, so its comments and layout stay: a new site is appended to the
``sites:`` block (``sites: []`` or an empty ``sites:`` become a block first); a column of a site
already there goes first into that site's ``columns:`` block. The edited text is validated whole
before it replaces the file; a file whose ``sites`` or ``columns`` are written inline (``[...]``)
cannot be edited safely, and the entry is printed for the user to paste instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.config import ConfigError, config_from_dict
from crawler.config.yamlines import load_yaml
from crawler.onboard.detect import Detection

_KINDS = (
    ("notice", ("通知", "公告", "公示", "通告")),
    ("policy", ("政策", "文件", "规章", "规范性", "法规", "解读")),
    ("news", ("动态", "要闻", "新闻", "发布", "实录", "工作", "信息")),
)
_SKIP_LABELS = {"www", "gov", "cn", "com", "org", "net", "edu"}


class CannotEdit(Exception):
    """The file cannot be edited safely as text (inline lists); the message says where."""


def column_kind(name: str | None) -> str:
    """``notice`` / ``policy`` / ``news`` from the column's name, else ``other``."""
    for kind, words in _KINDS:
        if name and any(w in name for w in words):
            return kind
    return "other"


def base_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def site_name(url: str) -> str:
    """A one-word name from the host: ``www.qz.gov.cn`` → ``qz``; ``127.0.0.1:8181`` → ``127-0-0-1-8181``."""
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower()
    if re.fullmatch(r"[\d.]+|[0-9a-f:]+", host):
        labels = [host.replace(".", "-").replace(":", "-")]
    else:
        labels = [label for label in host.split(".") if label not in _SKIP_LABELS] or [host]
    name = "-".join(labels)
    if parts.port:
        name += f"-{parts.port}"
    return re.sub(r"[^\w.-]", "-", name)


def column_entry(found: Detection, name: str | None = None) -> dict[str, Any]:
    column = name or found.column_name or "栏目"
    return {"name": column, "url": found.url, "kind": column_kind(column)}


def site_entry(
    found: Detection, *, name: str, private: bool, column_name: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "base_url": base_url(found.url),
        "profile": found.profile,
    }
    if found.generic:
        entry["generic"] = dict(found.generic)
    entry["columns"] = [column_entry(found, column_name)]
    if private:
        entry["link_check"] = {"allow_private": True}
    return entry


def dump(data: Any, indent: int = 0) -> str:
    """YAML text of ``data`` indented by ``indent`` spaces (block style, keys in order, UTF-8)."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=120)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _existing(data: Mapping[str, Any], base: str) -> int | None:
    """The index of the site in ``sites:`` whose base URL is ``base`` (same scheme, host and port)."""
    for i, site in enumerate(data.get("sites") or []):
        written = site.get("base_url") if isinstance(site, Mapping) else None
        if isinstance(written, str) and base_url(written).lower() == base.lower():
            return i
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the last line of the block that begins on line ``start`` (0-based) and holds
    lines indented more than ``indent`` (blank and comment lines at its end stay outside)."""
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            if _indent(line) <= indent and not stripped.startswith("- "):
                break
            if _indent(line) < indent:
                break
            last = end + 1
        end += 1
    return last


def add_to_text(
    text: str, found: Detection, *, name: str, private: bool, column_name: str | None
) -> tuple[str, str, str]:
    """``(new text, what was done, the site's name)``: the column added to the entry of its site
    (same scheme, host and port), or a new site appended."""
    data = load_yaml(text, "config.yaml") or {}
    if not isinstance(data, Mapping):
        raise CannotEdit("the file's top level is not a mapping")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    index = _existing(data, base_url(found.url))
    if index is not None:
        return _add_column(lines, data, index, found, column_name)
    entry = site_entry(found, name=name, private=private, column_name=column_name)
    sites = data.get("sites")
    key_line = (getattr(data, "key_lines", {}) or {}).get("sites")
    if key_line is None:  # no sites: key yet
        return "".join(lines) + "sites:\n" + dump([entry], 2), f"added site {name!r}", name
    at = key_line - 1
    if not sites:  # `sites:` or `sites: []`: make it a block
        comment = lines[at].split("#", 1)[1] if "#" in lines[at] else None
        lines[at] = "sites:" + (f"  #{comment}" if comment else "\n")
        end = _block_end(lines, at, _indent(lines[at]))
        lines[end:end] = [dump([entry], 2)]
        return "".join(lines), f"added site {name!r}", name
    if not hasattr(sites, "item_lines") or lines[at].split("#", 1)[0].rstrip().endswith("]"):
        raise CannotEdit(f"line {key_line}: `sites:` is written inline")
    first = sites.item_lines[0] - 1
    end = _block_end(lines, at, _indent(lines[at]))
    lines[end:end] = [dump([entry], _indent(lines[first]))]
    return "".join(lines), f"added site {name!r}", name


def _add_column(
    lines: list[str], data: Mapping[str, Any], index: int, found: Detection, column_name: str | None
) -> tuple[str, str, str]:
    site = data["sites"][index]
    if site.get("profile") != found.profile:
        raise CannotEdit(
            f"site {site.get('name')!r} reads its columns with profile {site.get('profile')!r}, "
            f"this column needs {found.profile!r}: give it its own site (--name)"
        )
    columns = site.get("columns")
    if any(isinstance(c, Mapping) and c.get("url") == found.url for c in columns or []):
        raise CannotEdit(f"site {site.get('name')!r} already watches {found.url}")
    if not columns or not getattr(columns, "item_lines", None):
        raise CannotEdit(f"the columns of site {site.get('name')!r} are not a block list")
    first = columns.item_lines[0] - 1
    if not lines[first].lstrip().startswith("- "):
        raise CannotEdit(f"line {first + 1}: the columns of site {site.get('name')!r} are written inline")
    lines[first:first] = [dump([column_entry(found, column_name)], _indent(lines[first]))]
    return "".join(lines), f"added a column to site {site.get('name')!r}", str(site.get("name"))


def validate(text: str, path: Path) -> None:
    """``ConfigError`` when ``text`` (the new content of ``path``) is not a valid configuration."""
    source = path.name
    data = load_yaml(text, source)
    if data is not None and not isinstance(data, Mapping):
        raise ConfigError("the top level must be a mapping of keys", source, 1)
    config_from_dict(data, source=source, base_dir=path.resolve().parent, path=path.resolve())


__all__ = [
    "CannotEdit",
    "ConfigError",
    "add_to_text",
    "column_kind",
    "dump",
    "site_entry",
    "site_name",
    "validate",
]
