"""The event catalog (crawler/events.py) is the one declaration of every event type: the store's
emitters, the digest, the Datasette metadata, the README's events table and the report JSON Schema
all agree with it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from crawler.browse.metadata import build_metadata
from crawler.browse.queries import canned_queries
from crawler.events import CATALOG, EVENTS, SECTIONS, SEVERITIES, UnknownEventType
from crawler.model import Event
from crawler.report.digest import ORDER, TYPE_LABELS, grouped
from crawler.store import Store
from crawler.store.events import emit
from tests import corpus

REPO = Path(__file__).resolve().parents[1]
CRAWLER = REPO / "crawler"
EMITTERS = {"emit", "_emit"}  # the one function, and the store's thin wrappers of it


def _emitted_types() -> dict[str, list[str]]:
    """Event types passed as string literals to emit()/_emit() anywhere in crawler/, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted(CRAWLER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in EMITTERS or (
                isinstance(func, ast.Attribute) and func.attr == "emit" and _is_log(func)
            ):
                continue
            for arg in node.args[:2]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, []).append(f"{path.relative_to(REPO)}:{node.lineno}")
                    break
    return found


def _is_log(func: ast.Attribute) -> bool:
    """``log.emit(...)`` / ``self.log.emit(...)``: the daemon's log lines, not events."""
    owner = func.value
    return (isinstance(owner, ast.Name) and owner.id == "log") or (
        isinstance(owner, ast.Attribute) and owner.attr == "log"
    )


def test_every_emitted_type_is_declared_and_every_declared_type_is_emitted():
    emitted = _emitted_types()
    undeclared = {t: where for t, where in emitted.items() if t not in EVENTS}
    assert not undeclared, f"event types emitted but not in crawler/events.py: {undeclared}"
    assert set(EVENTS) <= set(emitted), f"declared but never emitted: {set(EVENTS) - set(emitted)}"


def test_only_the_store_emits_events():
    for path in sorted(CRAWLER.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        if not rel.startswith("crawler/store/"):
            assert "crawler.store.events" not in imported, f"{rel} emits events outside the store"
        makers = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Event"
        ]
        if rel not in ("crawler/store/events.py", "crawler/store/codec.py"):  # made, and read back
            assert not makers, f"{rel}:{makers} builds an Event itself; emit it through the store"


def test_the_store_refuses_an_undeclared_type(tmp_path):
    with Store(tmp_path / "g.db") as store:
        with pytest.raises(UnknownEventType, match="bogus"):
            emit(store.db, "bogus", site="s", key="k", created_at="2026-01-01T00:00:00+08:00")
        assert store.events() == []
        [event] = [emit(store.db, "new", site="s", key="k", created_at="2026-01-01T00:00:00+08:00")]
        assert event.severity == EVENTS["new"].severity and store.events()[0].id == event.id


def test_the_digest_has_a_section_and_a_label_for_every_type():
    assert sorted(ORDER) == sorted(EVENTS)
    assert set(TYPE_LABELS) == set(EVENTS)
    assert {e.section for e in CATALOG} <= {s.id for s in SECTIONS}
    events = [Event(type=e.name, site="s", key=f"k{i}", id=i) for i, e in enumerate(CATALOG)]
    sections = grouped(events)
    assert "other" not in [sid for sid, _, _ in sections]
    assert [e.type for _, _, group in sections for e in group] == list(ORDER)


def test_an_unknown_type_is_named_in_the_digest(caplog):
    [(sid, heading, _)] = grouped([Event(type="made_up", site="s", key="k", id=1)])
    assert sid == "other" and "made_up" in heading
    assert "made_up" in caplog.text


def test_datasette_names_every_type():
    meta = build_metadata("govwatch")
    described = meta["databases"]["govwatch"]["tables"]["events"]["columns"]["type"]
    for e in CATALOG:
        assert f"{e.name} {e.zh}" in described


def test_canned_queries_name_only_declared_types():
    named: set[str] = set()
    for query in canned_queries().values():
        for clause in re.findall(r"type\s*(?:=\s*'[^']*'|in\s*\([^)]*\))", query["sql"]):
            named |= set(re.findall(r"'([a-z_]+)'", clause))
    assert named and named <= set(EVENTS), named - set(EVENTS)


def test_the_readme_events_table_matches_the_catalog():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \| (\w+) \| ([^|]+?) \| ([^|]+?) \|$", text, re.MULTILINE)
    headings = {s.id: s.heading.split(" — ")[0] for s in SECTIONS}
    table = {name: (severity, section) for name, severity, section, _ in rows}
    assert table == {e.name: (e.severity, headings[e.section]) for e in CATALOG}
    assert [name for name, *_ in rows] == [e.name for e in CATALOG]


def _report_schema() -> Path:
    for candidate in (
        REPO / "docs" / "schemas" / "report.schema.json",
        REPO / "crawler" / "schemas" / "report.schema.json",
        corpus.SCHEMAS / "report.schema.json",
    ):
        if candidate.is_file():
            return candidate
    pytest.skip(corpus.absent_reason(corpus.SCHEMAS))


def test_the_report_schema_allows_exactly_the_declared_types():
    schema = json.loads(_report_schema().read_text(encoding="utf-8"))
    event = schema["properties"]["events"]["items"]["properties"]
    assert set(event["type"]["enum"]) == set(EVENTS)
    assert set(event["severity"]["enum"]) == set(SEVERITIES)
