"""The module map in docs/ARCHITECTURE.md is the rule: each layer imports only the layers its row
lists, commands sit on top, and only crawler/store (and browse's read-only Datasette queries) speaks
SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CRAWLER = REPO / "crawler"
ARCHITECTURE = REPO / "docs" / "ARCHITECTURE.md"
ROW = re.compile(r"^\| `crawler/([a-z_]+)(?:/|\.py)`[^|]*\| [^|]+ \| ([^|]+) \|$", re.MULTILINE)
COMMANDS = {"cli.py", "__main__.py"}
SQL = re.compile(r"\.execute\(|\.query\(|\bstore\.db\b|_write\(")


def allowed() -> dict[str, set[str]]:
    """Layer → the layers it may import, from the module table."""
    rows = ROW.findall(ARCHITECTURE.read_text(encoding="utf-8"))
    layers = {name for name, _ in rows}
    table = {name: {w for w in re.findall(r"[a-z_]+", imports) if w in layers} for name, imports in rows}
    assert {"model", "store", "config", "crawl", "report"} <= set(table), "the module table was not found"
    return table


def layer_of(module: str) -> str | None:
    """``crawler.store.ledger`` → ``store``; ``crawler`` itself (the version) → None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "crawler" else None


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, module)`` of every ``crawler`` import, wherever it is (functions, TYPE_CHECKING)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("crawler")]
        elif (
            isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("crawler")
        ):
            if node.module == "crawler":  # from crawler import clock (a module), __version__ (the root)
                out += [(node.lineno, _submodule(a.name)) for a in node.names]
            else:
                out.append((node.lineno, node.module or ""))
    return out


def _submodule(name: str) -> str:
    is_module = (CRAWLER / name).is_dir() or (CRAWLER / f"{name}.py").is_file()
    return f"crawler.{name}" if is_module else "crawler"


def modules() -> list[tuple[Path, str]]:
    """Every module of the package with its layer (top-level modules are their own layer)."""
    out = []
    for path in sorted(CRAWLER.rglob("*.py")):
        rel = path.relative_to(CRAWLER)
        if len(rel.parts) == 1 and rel.name == "__init__.py":
            continue
        out.append((path, rel.parts[0].removesuffix(".py")))
    return out


def is_command(path: Path) -> bool:
    return path.name in COMMANDS


def test_every_layer_imports_only_what_the_module_map_allows():
    table = allowed()
    wrong = []
    for path, layer in modules():
        if is_command(path):
            continue
        assert layer in table, f"{path.relative_to(REPO)}: layer {layer!r} is missing from the module table"
        for line, module in imported(ast.parse(path.read_text(encoding="utf-8"))):
            target = layer_of(module)
            if target is None or target == layer:
                continue
            if target not in table.get(layer, set()):
                wrong.append(
                    f"{path.relative_to(REPO)}:{line} imports {module} ({layer} may not import {target})"
                )
    assert not wrong, "\n".join(wrong)


def test_nothing_but_a_command_imports_a_command():
    wrong = []
    for path, _ in modules():
        if is_command(path):
            continue
        for line, module in imported(ast.parse(path.read_text(encoding="utf-8"))):
            if module.endswith(".cli") or module == "crawler.cli":
                wrong.append(f"{path.relative_to(REPO)}:{line} imports the command module {module}")
    assert not wrong, "\n".join(wrong)


def test_the_module_map_has_no_cycle():
    table = allowed()
    seen: set[str] = set()

    def visit(layer: str, path: tuple[str, ...]) -> None:
        assert layer not in path, f"the module table has a cycle: {' -> '.join((*path, layer))}"
        if layer in seen:
            return
        for below in table.get(layer, ()):
            visit(below, (*path, layer))
        seen.add(layer)

    for layer in table:
        visit(layer, ())


def test_only_the_store_speaks_sql():
    wrong = []
    for path, layer in modules():
        if layer in ("store", "browse"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL.search(line):
                wrong.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not wrong, "SQL outside crawler/store:\n" + "\n".join(wrong)


def test_no_store_or_ledger_parameter_is_typed_any():
    wrong = []
    for path, _ in modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(store|ledger)\s*:\s*Any\b", line):
                wrong.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not wrong, "\n".join(wrong)
