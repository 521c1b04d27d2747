"""Fixtures any folder may use: a fresh ``Store`` in the test's folder, the store and report tests'
fixed clock, the reference page's bytes."""

from __future__ import annotations

import pytest

from crawler.store import Store
from tests.helpers import REFERENCE_PAGE
from tests.records import NOW


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "govwatch.db")
    yield s
    s.close()


@pytest.fixture
def fixed_clock(monkeypatch):
    """``GOVWATCH_NOW`` at :data:`tests.records.NOW` for this process and the ones it starts."""
    monkeypatch.setenv("GOVWATCH_NOW", NOW)


@pytest.fixture(scope="session")
def reference_bytes() -> bytes:
    return REFERENCE_PAGE.read_bytes()


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for one test module; the module's tests skip when it is not installed."""
    from pathlib import Path

    from tests.chromium import CHROMIUM, LAUNCH_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()
