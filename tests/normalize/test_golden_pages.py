"""Golden pages: our own fixtures (every field), the seed page, and real government pages in place.

Regenerate the goldens of our own pages with ``GOVWATCH_REGEN_GOLDEN=1``: the expected files are
rewritten from the current output and the tests FAIL so that nobody commits them unreviewed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from crawler.normalize import normalize
from tests.corpus import require

from .checks import assert_expected
from .conftest import (
    FIXTURE_URL,
    FIXTURES,
    GOLDEN_REAL,
    REAL,
    REFERENCE_PAGE,
    REFERENCE_URL,
    SEED,
    load_json,
)

REGENERATE = os.environ.get("GOVWATCH_REGEN_GOLDEN") == "1"
OWN_PAGES = sorted(FIXTURES.glob("*.html"))
REAL_GOLDENS = sorted(GOLDEN_REAL.glob("*.expected.json"))


def _url_for(page: Path) -> str:
    return REFERENCE_URL if page == REFERENCE_PAGE else FIXTURE_URL


def test_every_own_page_has_a_golden() -> None:
    missing = [p.name for p in OWN_PAGES if not p.with_suffix(".expected.json").exists() and not REGENERATE]
    assert not missing, f"pages without an expected file: {missing} (GOVWATCH_REGEN_GOLDEN=1 writes them)"
    assert len(OWN_PAGES) >= 20


@pytest.mark.parametrize("page", OWN_PAGES, ids=[p.stem for p in OWN_PAGES])
def test_own_golden_page(page: Path) -> None:
    url = _url_for(page)
    release = normalize(page.read_bytes(), url)
    expected_path = page.with_suffix(".expected.json")
    if REGENERATE:
        golden = {"page": page.name, "url": url, "expect": release.to_dict()}
        expected_path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        pytest.fail(f"regenerated {expected_path.name}: review the diff, then run again without the flag")
    golden = load_json(expected_path)
    assert golden["url"] == url
    assert release.to_dict() == golden["expect"]


def test_seed_reference_page_matches_its_expected_file() -> None:
    expected_file = require(SEED / "quzhou-fabushilu-2022-09-14.defaced.expected.json")
    golden = load_json(expected_file)
    release = normalize(REFERENCE_PAGE.read_bytes(), golden["url"])
    expect = dict(golden["expect"])
    checks = {"paragraphs_min": expect.pop("paragraphs_min"), "speakers": expect.pop("speakers")}
    assert_expected(release, expect, checks, "seed")
    assert release.published_at == "2022-09-14T09:12:00+08:00"
    assert release.site_name == "衢州市人民政府"
    assert release.column == "发布实录"


def test_reference_page_turns_keep_every_paragraph() -> None:
    release = normalize(REFERENCE_PAGE.read_bytes(), REFERENCE_URL)
    first = release.turns[0]
    assert first["speaker"] == "人民日报记者"
    assert first["text"].startswith("我们关注到,衢州提出")
    gao = release.turns[1]
    assert gao["speaker"] == "高屹"
    # his answer runs over three paragraphs until the next marker
    assert gao["text"].count("\n") == 2
    assert gao["text"].endswith("打造四省边际现代产业桥头堡。谢谢!")
    # the captured text keeps its half-width punctuation: nothing is silently repaired
    assert "9月13日下午,中共" in release.paragraphs[0]
    assert not any("浏览次数" in p or "打印本页" in p or "大汉版通" in p for p in release.paragraphs)


@pytest.mark.skipif(
    not REAL.is_dir(), reason=f"real pages folder {REAL} is absent (../shared not beside clone)"
)
@pytest.mark.parametrize("golden_path", REAL_GOLDENS, ids=[p.name.split(".")[0] for p in REAL_GOLDENS])
def test_real_page(golden_path: Path) -> None:
    golden = load_json(golden_path)
    page = REAL / golden["page"]
    assert page.exists(), f"{page} listed in {golden_path.name} is missing"
    release = normalize(page.read_bytes(), golden["url"])
    assert_expected(release, golden["expect"], golden.get("checks", {}), golden_path.name)


@pytest.mark.skipif(
    not REAL.is_dir(), reason=f"real pages folder {REAL} is absent (../shared not beside clone)"
)
def test_every_real_page_has_a_golden_or_a_key() -> None:
    """Pages 30–59 carry hand-written keys beside them (``make eval`` reads those); the older ones a
    golden here."""
    pages = {p.stem for p in REAL.glob("*.html")}
    goldens = {p.name.removesuffix(".expected.json") for p in REAL_GOLDENS}
    keyed = {p.name.removesuffix(".expected.json") for p in REAL.glob("*.expected.json")}
    assert pages <= goldens | keyed, f"real pages without a golden: {sorted(pages - goldens - keyed)}"
