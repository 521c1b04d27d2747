"""Paths and helpers for the normalizer's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
GOLDEN_REAL = TESTS / "golden" / "real"
#: ../shared/fixtures beside the clone (CI and development have it; a user's clone may not)
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
REAL = SHARED / "real"
SEED = SHARED / "seed"
SCHEMA = SHARED.parent / "schemas" / "release.schema.json"
REFERENCE_PAGE = FIXTURES / "quzhou-fabushilu-2022-09-14.defaced.html"
REFERENCE_URL = "http://www.qz.gov.cn/art/2022/9/14/art_1229037214_59011309.html"
#: the URL given to the golden pages of our own making
FIXTURE_URL = "http://www.example.gov.cn/art/2024/1/1/art_1_2.html"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def reference_bytes() -> bytes:
    return REFERENCE_PAGE.read_bytes()


@pytest.fixture(scope="session")
def release_schema() -> dict[str, Any]:
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} is absent: ../shared is not beside this clone")
    return load_json(SCHEMA)
