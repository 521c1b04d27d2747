"""The project's own contracts: ``crawler/schemas/`` holds the JSON Schemas of ``govwatch parse --json``
(``release``) and ``govwatch crawl --report-json`` (``report``), and the tests validate output against
them; ``verify`` (``govwatch verify --json``) came later. The first two began as the first-wave
contracts kept in the shared corpus (``schemas/``) and may grow with the project — a new enum member, a new property, a newly required field — but never drop or change
what a consumer of the first wave relies on. That is checked whenever the corpus is beside the clone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from crawler.events import SEVERITIES
from crawler.model import NOT_RELEASE_REASONS, Release
from tests.corpus import SCHEMAS, require
from tests.helpers import SCHEMA_DIR, schema

NAMES = ("release", "report", "verify")
#: the contracts of the first wave (kept in the shared corpus): ours may grow, never narrow them
FIRST_WAVE = ("release", "report")
#: keys whose value is a set: the project's copy may add members, never drop one
GROWABLE = ("enum", "required")


def narrowed(first: Any, ours: Any, where: str = "$") -> list[str]:
    """What ``ours`` drops or changes of ``first`` (additions are allowed), as readable paths."""
    if isinstance(first, dict) and isinstance(ours, dict):
        problems = []
        for key, value in first.items():
            if key not in ours:
                problems.append(f"{where}.{key} was dropped")
            elif key in GROWABLE:
                dropped = [v for v in value if v not in ours[key]]
                if dropped:
                    problems.append(f"{where}.{key} dropped {dropped}")
            else:
                problems.extend(narrowed(value, ours[key], f"{where}.{key}"))
        return problems
    return [] if first == ours else [f"{where} was {first!r}, is {ours!r}"]


def test_the_package_ships_exactly_the_contracts_the_tests_use() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == [f"{n}.schema.json" for n in NAMES]


@pytest.mark.parametrize("name", NAMES)
def test_own_schema_is_a_valid_json_schema(name: str) -> None:
    Draft202012Validator.check_schema(schema(name))


@pytest.mark.parametrize("name", FIRST_WAVE)
def test_own_schema_keeps_every_promise_of_the_first_wave_contract(name: str) -> None:
    first = json.loads(require(SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    problems = narrowed(first, schema(name))
    assert not problems, f"crawler/schemas/{name}.schema.json narrows the contract: {problems}"


def test_narrowed_sees_a_dropped_member_a_dropped_property_and_a_changed_type() -> None:
    first = {"properties": {"a": {"enum": ["x", "y"]}, "b": {"type": "string"}}, "required": ["a", "b"]}
    grown = {
        "properties": {"a": {"enum": ["x", "y", "z"]}, "b": {"type": "string"}, "c": {}},
        "required": ["a", "b", "c"],
    }
    assert narrowed(first, grown) == []
    ours = {"properties": {"a": {"enum": ["x"]}, "b": {"type": "integer"}}, "required": ["a"]}
    assert narrowed(first, ours) == [
        "$.properties.a.enum dropped ['y']",
        "$.properties.b.type was 'string', is 'integer'",
        "$.required dropped ['b']",
    ]
    assert narrowed(first, {"required": ["a", "b"]}) == ["$.properties was dropped"]


def test_release_schema_names_every_field_and_reason_of_the_model() -> None:
    properties = schema("release")["properties"]
    assert set(properties) == set(Release().to_dict())
    assert set(properties["not_release_reason"]["enum"]) - {None} == set(NOT_RELEASE_REASONS)


def test_report_schema_names_every_severity_of_the_model() -> None:
    events = schema("report")["properties"]["events"]["items"]["properties"]
    assert events["severity"]["enum"] == list(SEVERITIES)
    assert events["flags"]["items"]["properties"]["severity"]["enum"] == list(SEVERITIES)
