"""Paths and helpers for the normalizer's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# the shared corpus (tests/corpus.py) and the kit's paths, for the tests here
from tests.corpus import REAL, SEED  # noqa: F401
from tests.helpers import FIXTURES, REFERENCE_PAGE, REFERENCE_URL, REPO, schema  # noqa: F401

GOLDEN_REAL = REPO / "tests" / "golden" / "real"
#: the URL given to the golden pages of our own making
FIXTURE_URL = "http://www.example.gov.cn/art/2024/1/1/art_1_2.html"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def release_schema() -> dict[str, Any]:
    """The project's own contract of ``parse --json`` (crawler/schemas/)."""
    return schema("release")
