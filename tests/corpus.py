"""The real-page corpus: ``../shared`` beside the clone, found one way, skipped with one reason.

CI and development have ``../shared`` beside the repository; a user's fresh clone does not. Tests and
``make eval`` find it only through this module (``GOVWATCH_SHARED`` may point elsewhere). A test that
needs it calls :func:`require` (or uses a path from :func:`real_pages`, which is empty when absent) and
is skipped with one line saying what is missing; nothing else in the repository depends on it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GOVWATCH_SHARED") or REPO.parent / "shared")
FIXTURES = SHARED / "fixtures"
REAL = FIXTURES / "real"
LISTS = FIXTURES / "lists"
SEED = FIXTURES / "seed"
SCHEMAS = SHARED / "schemas"


def absent_reason(path: Path) -> str:
    return f"{path} is absent: the shared corpus (../shared) is not beside this clone"


def present(path: Path = SHARED) -> bool:
    return path.exists()


def require(path: Path = SHARED) -> Path:
    """``path`` if it exists, else skip the calling test with one line naming it."""
    if not path.exists():
        import pytest

        pytest.skip(absent_reason(path))
    return path


def real_pages(pattern: str = "*.html") -> list[Path]:
    """Real pages in ``fixtures/real`` (sorted; empty when the corpus is absent)."""
    return sorted(REAL.glob(pattern)) if REAL.is_dir() else []


def keyed_real_pages() -> list[tuple[Path, Path]]:
    """``(page, NN.expected.json)`` for every real page that has a hand-written key."""
    pairs = []
    for page in real_pages():
        key = page.with_name(page.name.removesuffix(".html") + ".expected.json")
        if key.exists():
            pairs.append((page, key))
    return pairs
