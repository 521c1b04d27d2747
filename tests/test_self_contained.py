"""The repository stands on its own: its code, docs and tests point only at files inside it (the rules
they rely on are in docs/ARCHITECTURE.md), never at a path on one machine. The shared real-page corpus
is reached only through tests/corpus.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.helpers import REPO

BINARY = {".png", ".jpg", ".gif", ".ico", ".db", ".sqlite", ".zst", ".gz", ".pyc", ".woff", ".woff2"}
#: the folder the project's developers keep their clones in (spelt in two parts, so that this file
#: does not itself name it)
DEV_ROOT = "/" + "work/"
#: documents outside the repository, and absolute paths of the machine the project was built on
OUTSIDE = re.compile(r"\b(?:DESIGN|DOMAIN|STYLE)\.md\b|(?<![\w.])" + DEV_ROOT)
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def repo_files() -> list[Path]:
    """The repository's files: tracked or new, not ignored (``git ls-files``); every file outside the
    ignored folders when this is not a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode("utf-8")
        paths = [REPO / name for name in listed.split("\0") if name]
    except (OSError, subprocess.SubprocessError):
        ignored = {
            ".git",
            ".venv",
            "__pycache__",
            ".pytest_cache",
            ".mypy_cache",
            ".ruff_cache",
            ".hypothesis",
        }
        paths = [p for p in REPO.rglob("*") if not ignored & set(p.relative_to(REPO).parts)]
        paths = [p for p in paths if "artifacts" not in p.parts and ".egg-info" not in str(p)]
    return sorted(p for p in paths if p.is_file() and p.suffix.lower() not in BINARY)


def test_nothing_points_outside_the_repository() -> None:
    files = repo_files()
    assert len(files) > 100 and REPO / "crawler" / "model.py" in files
    hits = []
    for path in files:
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(REPO)}:{n}: {line.strip()[:120]}")
    assert not hits, "references outside the repository:\n" + "\n".join(hits)


def test_the_outside_pattern_finds_what_it_should() -> None:
    assert OUTSIDE.search("(see " + "DESIGN" + ".md, Contracts)")
    assert OUTSIDE.search(f'Path("{DEV_ROOT}shared/fixtures")')
    assert not OUTSIDE.search("docs/ARCHITECTURE.md, a/" + "work/b, network/working")


def test_every_relative_link_in_the_docs_exists() -> None:
    docs = [p for p in repo_files() if p.suffix == ".md"]
    assert REPO / "README.md" in docs and REPO / "docs" / "ARCHITECTURE.md" in docs
    broken = []
    for doc in docs:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                continue
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(REPO)} → {target}")
    assert not broken, broken
