"""Pydantic's validation errors → :class:`Issue` s a person can act on: ``FILE:LINE: key.path: message``.

The line comes from the YAML as read (``yamlines``: the line of every key, value and item), found by
following the error's location through the raw data; the message is ours, not pydantic's (the same
words for the same mistake wherever it is made). Unknown keys come first — a misspelt key explains
the missing one that follows — then the rest in file order.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from crawler.config.errors import Issue, suggest
from crawler.config.kinds import models_in
from crawler.options import show

_EXPECTED = re.compile(r"'([^']*)'")


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("type")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return args[0] if typing.get_origin(field.annotation) is typing.Literal and args else None


class _Walk:
    """Follow a pydantic error location through the raw data and the models at the same time."""

    def __init__(self, data: object, model: type[BaseModel] | None, line: int | None) -> None:
        self.value: object = data
        self.parent: object = None
        self.part: str | int | None = None
        self.model = model
        self.line = line
        self.path: list[str | int] = []

    def step(self, part: str | int) -> None:
        value = self.value
        if isinstance(part, str) and isinstance(value, Mapping) and part not in value and self.model is None:
            return
        if isinstance(part, str) and isinstance(value, Mapping) and part not in value:
            # a discriminated union's tag (``sinks[0].jsonl.path``): choose that member, stay here
            members = [m for m in self._candidates() if _tag_of(m) == part]
            if members:
                self.model = members[0]
                return
        self.path.append(part)
        self.parent, self.part = value, part
        if isinstance(part, int):
            lines = getattr(value, "item_lines", None)
            if isinstance(lines, list) and 0 <= part < len(lines):
                self.line = lines[part]
            self.value = value[part] if isinstance(value, list) and 0 <= part < len(value) else None
            return
        lines = getattr(value, "value_lines", None)
        if isinstance(lines, dict) and part in lines:
            self.line = lines[part]
        self.value = value.get(part) if isinstance(value, Mapping) else None
        self.model = self._field_model(part)

    def _candidates(self) -> list[type[BaseModel]]:
        if isinstance(self.model, _Union):
            return self.model.models
        return [self.model] if self.model is not None else []

    def _field_model(self, part: str) -> type[BaseModel] | None:
        if self.model is None:
            return None
        field = self.model.model_fields.get(part)
        if field is None:
            return None
        models = models_in(field.annotation)
        if len(models) == 1:
            return models[0]
        return _Union(models) if models else None  # type: ignore[return-value]

    def key_line(self, mapping: object, key: str) -> int | None:
        lines = getattr(mapping, "key_lines", None)
        return lines.get(key) if isinstance(lines, dict) else None


class _Union:
    """Several models a value may be (a discriminated union) until a tag picks one."""

    def __init__(self, models: list[type[BaseModel]]) -> None:
        self.models = models
        self.model_fields: dict[str, Any] = {}


def _choose(walk: _Walk) -> None:
    """At a mapping that is one of several models, pick the one its ``type`` names."""
    if isinstance(walk.model, _Union) and isinstance(walk.value, Mapping):
        chosen = [m for m in walk.model.models if _tag_of(m) == walk.value.get("type")]
        if chosen:  # else stay undecided: the error is about the tag itself
            walk.model = chosen[0]


def _path(parts: Sequence[str | int], prefix: str) -> str:
    out = prefix
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else str(part))
    return out


def _names(expected: str) -> list[str]:
    return _EXPECTED.findall(expected)


def _allowed(model: object) -> tuple[str, ...]:
    """The keys a model takes (a tagged model's ``type`` aside: it is given already)."""
    fields = getattr(model, "model_fields", None) or {}
    tagged = isinstance(model, type) and _tag_of(model) is not None
    return tuple(name for name in fields if not (tagged and name == "type"))


def issues_from(
    exc: ValidationError,
    data: object,
    model: type[BaseModel],
    source: str,
    prefix: str = "",
    line: int | None = None,
) -> list[Issue]:
    """The issues of one validation of ``data`` (as read from ``source``) against ``model``;
    ``prefix`` is the key path of ``data`` in its file (``""`` for a whole file)."""
    unknown: list[Issue] = []
    other: list[Issue] = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        kind = error["type"]
        ctx = error.get("ctx") or {}
        if kind == "govwatch":
            loc += list(ctx.get("at") or [])
        walk = _Walk(data, model, getattr(data, "line", None) or line)
        for part in loc[:-1] if kind in ("extra_forbidden", "missing") else loc:
            _choose(walk)
            walk.step(part)
        _choose(walk)
        value = error.get("input")
        choices: tuple[str, ...] = ()
        if kind == "extra_forbidden":
            key = str(loc[-1])
            at_line = walk.key_line(walk.value, key) or getattr(walk.value, "line", None) or walk.line
            choices = _allowed(walk.model)
            message = "unknown key"
            if choices and not suggest(key, choices):
                message += f" (allowed: {', '.join(choices)})"
            unknown.append(Issue(message, source, at_line, _path([*walk.path, key], prefix), choices, key))
            continue
        if kind == "missing":
            key = str(loc[-1])
            at_line = getattr(walk.value, "line", None) or walk.line
            other.append(Issue("required key is missing", source, at_line, _path([*walk.path, key], prefix)))
            continue
        if isinstance(walk.model, _Union):
            ctx = {**ctx, "tags": tuple(t for t in map(_tag_of, walk.model.models) if t)}
        message, choices, extra = _message(kind, error["msg"], ctx, value)
        given = ctx.get("tag") if kind == "union_tag_invalid" else value
        if kind == "govwatch" and ctx.get("given") is not None:
            given = ctx["given"]
        other.append(
            Issue(
                message,
                source,
                walk.line,
                _path([*walk.path, *extra], prefix),
                choices,
                given if isinstance(given, str) and choices else None,
            )
        )
    return unknown + sorted(other, key=lambda i: i.line or 0)


def _message(
    kind: str, msg: str, ctx: dict[str, Any], value: object
) -> tuple[str, tuple[str, ...], list[str | int]]:
    """``(message, choices, key parts to add)`` for one pydantic error type."""
    if kind == "govwatch":
        return str(ctx["message"]), tuple(ctx.get("choices") or ()), []
    if kind == "literal_error":
        names = tuple(_names(str(ctx.get("expected", ""))))
        return f"{value!r} is not one of {', '.join(names)}", names, []
    if kind == "union_tag_invalid":
        names = tuple(_names(str(ctx.get("expected_tags", ""))))
        return f"{ctx.get('tag')!r} is not one of {', '.join(names)}", names, ["type"]
    if kind == "union_tag_not_found":
        names = tuple(ctx.get("tags") or ())
        return f"missing required key 'type' (one of {', '.join(names)})", names, []
    if kind in ("string_type", "string_too_short"):
        return f"expected a non-empty string, got {show(value)}", (), []
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {show(value)}", (), []
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {show(value)}", (), []
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {show(value)}", (), []
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {value!r}", (), []
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping, got {show(value)}", (), []
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {show(value)}", (), []
    if kind in ("value_error", "assertion_error"):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, "), (), []
    return msg, (), []
