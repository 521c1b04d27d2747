"""The models a config file is validated against: the static shapes of ``crawler.config.schema``
completed from the registries of the components that own their options.

- ``sinks:`` items are one of the registered sink types (``crawler.report.sinks.SINKS``), told apart
  by ``type``; each type's ``options_model`` says which keys it takes.
- a site's ``profile`` is one of the registered CMS profiles (``crawler.profiles.PROFILES``); a
  profile with an ``options_model`` takes its options under its own name (``generic: {...}``).
- a site's ``integrity.ignore`` names registered integrity rules (``crawler.integrity.DETECTORS``).

The models are rebuilt when a registry changes (a sink type registered at run time is accepted).
:func:`json_schema` is the JSON Schema of ``config.yaml`` for editors.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

from crawler.config.schema import Config, IntegrityConfig, SiteConfig
from crawler.options import format_duration

_create_model: Any = create_model  # models made at run time: typed by their base
_cache: dict[tuple[Any, ...], tuple[type[Config], type[SiteConfig]]] = {}


def _registries() -> tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]:
    from crawler.integrity import DETECTORS
    from crawler.profiles import PROFILES
    from crawler.report.sinks import SINKS

    return dict(PROFILES), dict(SINKS), tuple(DETECTORS)


def models() -> tuple[type[Config], type[SiteConfig]]:
    """``(Config model, site model)`` for the sink types, profiles and integrity rules registered now."""
    profiles, sinks, rules = _registries()
    key = (
        tuple((name, cls.options_model, cls.options_required) for name, cls in profiles.items()),
        tuple((name, cls.options_model) for name, cls in sinks.items()),
        rules,
    )
    if key not in _cache:
        _cache.clear()
        _cache[key] = _build(profiles, sinks, rules)
    return _cache[key]


def _build(
    profiles: dict[str, Any], sinks: dict[str, Any], rules: tuple[str, ...]
) -> tuple[type[Config], type[SiteConfig]]:
    profile_fields: dict[str, Any] = {
        name: (cls.options_model | None, None) for name, cls in profiles.items() if cls.options_model
    }
    integrity: type[IntegrityConfig] = _create_model(
        "IntegrityConfig",
        __base__=IntegrityConfig,
        __module__=IntegrityConfig.__module__,
        ignore=(Annotated[tuple[Literal[rules], ...], *IntegrityConfig.model_fields["ignore"].metadata], ()),  # type: ignore[valid-type]
    )
    site: type[SiteConfig] = _create_model(
        "SiteConfig",
        __base__=SiteConfig,
        __module__=SiteConfig.__module__,
        profile=(Literal[tuple(profiles)], ...),
        integrity=(
            Annotated[integrity, *SiteConfig.model_fields["integrity"].metadata],  # type: ignore[valid-type]
            Field(default_factory=integrity),
        ),
        **profile_fields,
    )
    site.profile_keys = {
        name: bool(cls.options_required) for name, cls in profiles.items() if cls.options_model
    }
    members = tuple(cls.options_model for cls in sinks.values())
    sink: Any = Annotated[Union[members], Field(discriminator="type")] if len(members) > 1 else members[0]  # noqa: UP007
    sites: Any = Annotated[tuple[site, ...], *Config.model_fields["sites"].metadata]  # type: ignore[valid-type]
    config: type[Config] = _create_model(
        "Config",
        __base__=Config,
        __module__=Config.__module__,
        sinks=(tuple[sink, ...], Field(default=({"type": "console"},))),
        sites=(sites, ()),
    )
    return config, site


class _Schema(GenerateJsonSchema):
    """Defaults shown as config.yaml writes them (``30m``, not ``PT30M``)."""

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        if isinstance(dft, Path):
            return str(dft)
        return super().encode_default(dft)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``config.yaml`` (and, under ``$defs.SiteConfig``, of an included site file)."""
    config, _ = models()
    schema = config.model_json_schema(schema_generator=_Schema)
    schema["title"] = "govwatch config.yaml"
    return schema


@dataclass(frozen=True)
class Key:
    """One key of config.yaml: its path (``sites[].politeness.download_delay``; ``sinks[jsonl].path``
    for a key of one sink type), whether it must be given, and its default as config.yaml writes it."""

    path: str
    required: bool
    default: Any  # None when there is none to show (required, or a section of keys)
    section: bool = False  # a mapping (or list) of further keys


def keys() -> list[Key]:
    """Every key the current registries accept, in model order."""
    config, _ = models()
    out: list[Key] = []
    _walk(dict(config.model_fields), "", out)
    return out


def _walk(fields: dict[str, FieldInfo], prefix: str, out: list[Key], tagged: bool = False) -> None:
    for name, field in fields.items():
        path = f"{prefix}{name}"
        if tagged and name == "type":  # which sink type: always given
            out.append(Key(path, True, None))
            continue
        members = models_in(field.annotation)
        listed = typing.get_origin(_strip(field.annotation)) is tuple
        default = None if field.is_required() or field.default_factory else field.default
        out.append(Key(path, field.is_required(), _shown(default), bool(members)))
        if not members:
            continue
        at = f"{path}[]." if listed else f"{path}."
        if len(members) == 1:
            _walk(dict(members[0].model_fields), at, out)
            continue
        common = set.intersection(*(set(m.model_fields) for m in members))
        _walk({n: f for n, f in members[0].model_fields.items() if n in common}, at, out, tagged=True)
        for member in members:
            tag = member.model_fields["type"].default
            _walk({n: f for n, f in member.model_fields.items() if n not in common}, f"{path}[{tag}].", out)


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _types(annotation: Any) -> list[Any]:
    annotation = _strip(annotation)
    if typing.get_origin(annotation) in (Union, types.UnionType, tuple):
        return [t for arg in typing.get_args(annotation) if arg is not Ellipsis for t in _types(arg)]
    return [annotation]


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models a field's value may be (through Optional, unions, Annotated and tuples)."""
    return [t for t in _types(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]


def _shown(value: Any) -> Any:
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_shown(v) for v in value]
    return value
