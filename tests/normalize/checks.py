"""Compare a Release with an expected-file's ``expect`` fields and ``checks``."""

from __future__ import annotations

from typing import Any

from crawler.model import Release


def assert_expected(release: Release, expect: dict[str, Any], checks: dict[str, Any], name: str) -> None:
    got = release.to_dict()
    for key, value in expect.items():
        assert got[key] == value, f"{name}: {key} is {got[key]!r}, expected {value!r}"
    paragraphs = release.paragraphs
    if "paragraphs_min" in checks:
        assert len(paragraphs) >= checks["paragraphs_min"], f"{name}: only {len(paragraphs)} paragraphs"
    for text in checks.get("paragraph_contains", []):
        assert any(text in p for p in paragraphs), f"{name}: no paragraph contains {text!r}"
    for text in checks.get("paragraphs_exclude", []):
        assert not any(text in p for p in paragraphs), f"{name}: boilerplate {text!r} kept in the body"
    if "speakers" in checks:
        speakers = {turn["speaker"] for turn in release.turns}
        missing = set(checks["speakers"]) - speakers
        assert not missing, f"{name}: speakers {sorted(missing)} not among turns {sorted(speakers)}"
    if "attachment_names" in checks:
        names = [a["name"] for a in release.attachments]
        assert names == checks["attachment_names"], f"{name}: attachments {names}"
